from django.middleware.gzip import GZipMiddleware


class TextGZipMiddleware(GZipMiddleware):
    """Compress pages and stylesheets, never photos: JPEGs do not shrink, and a gzipped
    download would lose its Content-Length (and its progress bar)."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/"):
            return response
        return super().process_response(request, response)
