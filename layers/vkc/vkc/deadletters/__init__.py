"""Dead letters: tasks that exhausted their retries, visible per workspace, and sent back when fixed."""
