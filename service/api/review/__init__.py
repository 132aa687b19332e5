"""The review page's files (HTML, script, style), served by service.api.routes.review."""
