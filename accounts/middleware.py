"""Security headers that Django 5.2 doesn't set itself."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Add the Content-Security-Policy header from settings.CONTENT_SECURITY_POLICY.

    A response that already carries the header keeps its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = "; ".join(
            f"{directive} {' '.join(sources)}".strip()
            for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Content-Security-Policy", self.header)
        return response
