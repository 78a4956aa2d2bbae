vcl 4.1;

# Varnish in front of Newsroom's app servers (Varnish 7.1+, varnish-modules 0.20+ for xkey).
#
#   varnishd -a :80 -f /etc/varnish/newsroom.vcl -s malloc,1g
#
# What it relies on from the app (docs/deploy.md):
#   - shareable answers carry `Cache-Control: public, max-age=0, s-maxage=N,
#     stale-while-revalidate=M, stale-if-error=K` and `Surrogate-Key: <keys>`;
#     everything else is `private`/`no-store`, or has no Cache-Control at all, and is not stored;
#   - on every change it POSTs `Surrogate-Key: <keys>` to CDN_PURGE_URL, which points here:
#     http://<this varnish>/.well-known/newsroom/purge
#
# Responses say `X-Cache: HIT`, `MISS` or `PASS` (and `Age`), so anyone can tell.

import cookie;
import std;
import var;
import xkey;

# The app server. Several: one backend each and a round-robin director
# (vmod directors) in vcl_init, with `set req.backend_hint = app.backend();` in vcl_recv.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
}

# Who may purge: the app servers (their source addresses as Varnish sees them). Add a line per
# app server or network, e.g. `"10.0.1.0"/24;`. client.ip is the peer's address: behind a TLS
# terminator on this host every reader would look like 127.0.0.1, so have it speak the PROXY
# protocol (`-a :8443,PROXY`) or refuse /.well-known/newsroom/ itself.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # Our own request flags (below) never come from a client.
    if (req.restarts == 0) {
        unset req.http.X-Newsroom-Cache;
        unset req.http.X-Newsroom-Purged;
        unset req.http.X-Newsroom-Refetch;
        unset req.http.X-Newsroom-Stale-Ok;
    }

    if (req.url ~ "^/\.well-known/newsroom/purge/?(\?.*)?$") {
        call newsroom_purge;
    }

    # Only Django's own cookies matter to it; analytics and the like never reach it and never
    # stop a page being shared.
    if (req.http.Cookie) {
        cookie.parse(req.http.Cookie);
        cookie.keep("sessionid,csrftoken");
        set req.http.Cookie = cookie.get_string();
        if (req.http.Cookie == "") {
            unset req.http.Cookie;
        }
    }

    # The desk and previews are never shared: straight to the app, cookies and all.
    # (Change the first path if the admin moves from /admin/, settings.ADMIN_PATH.)
    if (req.url ~ "^/admin/" || req.url ~ "^/preview/") {
        return (pass);
    }
    # A logged-in editor sees pages of their own.
    if (cookie.isset("sessionid")) {
        return (pass);
    }
    # A reader: a CSRF cookie alone does not make a GET personal. POSTs keep theirs and pass
    # (the built-in rules below).
    if (req.method == "GET" || req.method == "HEAD") {
        unset req.http.Cookie;
    }

    # Past stale-while-revalidate but within stale-if-error (see vcl_hit): ask the app first,
    # and if it fails, look again for the stale copy (req.grace lasts across restarts; the
    # object's own grace is the limit).
    if (req.http.X-Newsroom-Stale-Ok) {
        set req.grace = 3650d;
    } else if (req.http.X-Newsroom-Refetch) {
        set req.grace = 0s;
    }
    # On to the built-in rules: Host, methods (only GET and HEAD are looked up), Authorization.
}

sub newsroom_purge {
    if (client.ip !~ purgers) {
        return (synth(403, "Forbidden"));
    }
    if (req.method != "POST") {
        return (synth(405, "Method Not Allowed"));
    }
    # Several Surrogate-Key headers count as one list.
    std.collect(req.http.Surrogate-Key, " ");
    if (req.http.Surrogate-Key !~ "[^\s,]") {
        return (synth(400, "Surrogate-Key header required"));
    }
    # A hard purge: gone at once, not kept for grace, since readers must never see the old
    # version once the app has said it changed.
    set req.http.X-Newsroom-Purged = xkey.purge(req.http.Surrogate-Key);
    std.log("newsroom purge: " + req.http.X-Newsroom-Purged + " for " + req.http.Surrogate-Key);
    return (synth(200, "Purged"));
}

sub vcl_hash {
    # The same address over http and https can answer differently (with DJANGO_TLS set, the
    # app redirects plain http): keep them apart. Then the built-in key: URL (query string
    # included, as sent) and Host.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_hit {
    set req.http.X-Newsroom-Cache = "HIT";
    # An object is kept (as grace) for the longer of stale-while-revalidate and
    # stale-if-error. Within the first it is served while a background fetch refreshes it;
    # past it, the app is asked again now, and the stale copy is served only if that fails.
    if (obj.ttl < 0s && !req.http.X-Newsroom-Stale-Ok &&
        obj.ttl + std.duration(obj.http.X-Newsroom-Swr + "s", 0s) <= 0s) {
        set req.http.X-Newsroom-Refetch = "1";
        return (restart);
    }
}

sub vcl_miss {
    set req.http.X-Newsroom-Cache = "MISS";
}

sub vcl_pass {
    set req.http.X-Newsroom-Cache = "PASS";
}

sub vcl_backend_fetch {
    # Serving a stale copy because the app just failed: no second try in the background.
    if (bereq.is_bgfetch && bereq.http.X-Newsroom-Stale-Ok) {
        return (abandon);
    }
    # A fetch made in place of a stale copy must not replace it with an error (see
    # vcl_backend_response); the flag stays on this side of Varnish.
    if (bereq.http.X-Newsroom-Refetch && !bereq.http.X-Newsroom-Stale-Ok) {
        var.set("stale-fallback", "1");
    }
    unset bereq.http.X-Newsroom-Cache;
    unset bereq.http.X-Newsroom-Refetch;
    unset bereq.http.X-Newsroom-Stale-Ok;
}

sub vcl_backend_response {
    # The app failed while a stale copy waits: keep the copy (stale-if-error).
    if (beresp.status >= 500 && (bereq.is_bgfetch || var.get("stale-fallback") == "1")) {
        return (abandon);
    }
    if (beresp.status >= 500) {
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }

    # xkey reads the `xkey` header; the app speaks Fastly's `Surrogate-Key`.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }

    # The app says what shared caches may keep; an answer that says nothing is not stored
    # (Varnish would otherwise keep it for default_ttl).
    if (!beresp.http.Cache-Control && !beresp.http.Expires && !beresp.http.Surrogate-Control) {
        set beresp.ttl = 0s;
    }

    # The TTL comes from s-maxage (Varnish reads it before max-age); grace from the stale-*
    # directives, for what may be stored at all (the built-in rules below store nothing else).
    if (beresp.ttl > 0s && !beresp.http.Set-Cookie &&
        beresp.http.Cache-Control !~ "(?i)no-cache|no-store|private") {
        call newsroom_grace;
    } else {
        set beresp.grace = 0s;
    }

    # Compress text here (the app does not); Varnish weakens the ETag (W/"…"), which the app
    # matches weakly when Varnish revalidates.
    if (beresp.http.Content-Type ~
        "(?i)^(text/|application/(json|xml|rss\+xml|atom\+xml|javascript|ld\+json))") {
        set beresp.do_gzip = true;
    }
    # On to the built-in rules: no-store, private, no-cache, Set-Cookie, Vary: * and TTL 0 are
    # not stored (hit-for-miss: the next answer may be cacheable again).
}

sub newsroom_grace {
    # stale-while-revalidate: served stale while a background fetch refreshes it. None when
    # the app gives none (it gives 0 when a scheduled change ends the page's lifetime).
    if (beresp.http.Cache-Control ~ "(?i)stale-while-revalidate=[0-9]+") {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
            "(?i)^.*stale-while-revalidate=([0-9]+).*$", "\1s"), 0s);
    } else {
        set beresp.grace = 0s;
    }
    set beresp.http.X-Newsroom-Swr = beresp.grace;
    # stale-if-error: Varnish serves only objects within grace, so it lengthens grace, and
    # vcl_hit tells the two windows apart by X-Newsroom-Swr.
    if (beresp.http.Cache-Control ~ "(?i)stale-if-error=[0-9]+") {
        set beresp.http.X-Newsroom-Sie = regsub(beresp.http.Cache-Control,
            "(?i)^.*stale-if-error=([0-9]+).*$", "\1s");
        if (std.duration(beresp.http.X-Newsroom-Sie, 0s) > beresp.grace) {
            set beresp.grace = std.duration(beresp.http.X-Newsroom-Sie, 0s);
        }
        unset beresp.http.X-Newsroom-Sie;
    }
}

sub vcl_backend_error {
    # The app is unreachable while a stale copy waits: keep the copy (stale-if-error).
    if (bereq.is_bgfetch || var.get("stale-fallback") == "1") {
        return (abandon);
    }
}

sub vcl_deliver {
    # The app failed in place of a stale copy: serve the copy.
    if (resp.status >= 500 && req.http.X-Newsroom-Refetch && !req.http.X-Newsroom-Stale-Ok) {
        set req.http.X-Newsroom-Stale-Ok = "1";
        return (restart);
    }
    if (req.http.X-Newsroom-Cache) {
        set resp.http.X-Cache = req.http.X-Newsroom-Cache;
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # Keys are between the app and its caches (as Fastly strips Surrogate-Key).
    unset resp.http.Surrogate-Key;
    unset resp.http.xkey;
    unset resp.http.X-Newsroom-Swr;
}

sub vcl_synth {
    # A fetch in place of a stale copy was abandoned (the app is down or failing): serve the
    # copy.
    if (resp.status == 503 && req.http.X-Newsroom-Refetch && !req.http.X-Newsroom-Stale-Ok) {
        set req.http.X-Newsroom-Stale-Ok = "1";
        return (restart);
    }
    if (req.url ~ "^/\.well-known/newsroom/purge/?(\?.*)?$") {
        set resp.http.Cache-Control = "no-store";
        set resp.http.Content-Type = "application/json";
        if (resp.status == 200) {
            set resp.http.X-Purged = req.http.X-Newsroom-Purged;
            set resp.body = {"{"purged": "} + req.http.X-Newsroom-Purged + {"}
"};
        } else {
            if (resp.status == 405) {
                set resp.http.Allow = "POST";
            }
            set resp.body = {"{"error": ""} + resp.reason + {"""} + "}" + {"
"};
        }
        return (deliver);
    }
}
