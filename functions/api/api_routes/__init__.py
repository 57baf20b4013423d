"""The API's routers, problem responses and middlewares (the HTTP door of the domain)."""
