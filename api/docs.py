"""Browsable API documentation (Swagger UI) served from our own static files (the sidecar
package), with its start script as a file of its own: no inline script, no CDN."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
