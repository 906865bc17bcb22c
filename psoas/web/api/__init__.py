"""The JSON API (django-ninja): the same operations as the CLI, over HTTP, for the browser
pages and any other client. Routers by feature; the store's services do the work."""
