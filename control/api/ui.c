/* The live status page: GET / (and /ui/), its script, style sheet and icon
 * under /ui/. The files (ui/) are built into the binary by embed.py, since
 * the box may have no way out to fetch anything. They are served without
 * the token (a browser cannot send one for the page itself; the page's
 * script sends it with every API call, see api_authorized), with a
 * Content-Security-Policy that allows this origin's files and nothing
 * inline, so a value shown on the page can never run as script. */
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "resources.h"

/* ui_*.c, made from ui/ by embed.py (control/meson.build). */
extern const char api_ui_index_html[], api_ui_app_js[], api_ui_style_css[], api_ui_icon_svg[];

static const struct asset {
	const char *path, *type, *body;
} assets[] = {
        {"/", "text/html; charset=utf-8", api_ui_index_html},
        {"/ui/", "text/html; charset=utf-8", api_ui_index_html},
        {"/ui/app.js", "text/javascript; charset=utf-8", api_ui_app_js},
        {"/ui/style.css", "text/css; charset=utf-8", api_ui_style_css},
        {"/ui/icon.svg", "image/svg+xml", api_ui_icon_svg},
};

/* This origin's files only, nothing inline, no frame around it. */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; connect-src 'self'; object-src 'none'; "
                          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/* The files change with the binary: always asked again (they are small). */
static const char *const headers[] = {
        "Content-Security-Policy",
        csp,
        "X-Content-Type-Options",
        "nosniff",
        "Referrer-Policy",
        "no-referrer",
        "Cache-Control",
        "no-cache",
        NULL,
};

bool api_is_ui(const char *url)
{
	return strcmp(url, "/") == 0 || strncmp(url, "/ui/", 4) == 0;
}

void api_get_ui(struct api_ctx *ctx, const struct api_req *req, struct api_reply *out)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
		if (strcmp(req->url, assets[i].path) != 0)
			continue;
		out->status = 200;
		out->content_type = assets[i].type;
		out->headers = headers;
		out->body = strdup(assets[i].body);
		if (out->body == NULL)
			reply_error(out, 500, "internal error", "out of memory", NULL);
		return;
	}
	reply_error(out, 404, "not found", "the status page has no such file (see /)", NULL);
}
