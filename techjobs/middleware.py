from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Send an htmx request whose session has expired to the login page.

    A plain redirect would be followed inside the XMLHttpRequest and the login
    page swapped into whatever fragment made the request.
    """

    def handle_no_permission(self, request, view_func):
        if not request.htmx:
            return super().handle_no_permission(request, view_func)

        messages.warning(request, "Your session has expired. Log in to continue.")
        page = request.htmx.current_url_abs_path or request.get_full_path()
        login = redirect_to_login(page, self.get_login_url(view_func))
        return HttpResponseClientRedirect(login["Location"])
