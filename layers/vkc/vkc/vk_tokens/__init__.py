"""A workspace's pool of VK tokens: added after a test call, kept in a secret store, shown only masked."""
