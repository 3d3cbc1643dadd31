"""``partnerkit deploy nginx`` and ``deploy systemd``: the files that run a site and its collector in
production, written from the project's settings and the collector's own limits (never copied by hand,
so they cannot drift apart).

The nginx file holds one server block for the static site (``site_url``'s host: Range requests for
recordings, long caching for Material's hashed assets, revalidation for everything else, the 404 page)
and one for the collector (``analytics.endpoint``'s host, every route proxied: views, exams,
certificates, credentials, My accounts, unsubscribe, the status list), both on TLS, HTTP redirected to
HTTPS. The systemd unit runs ``partnerkit collect`` as an unprivileged user with the filesystem
read-only except the project's ``private/`` folder."""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.events import BODY_SECONDS, MAX_BODY_BYTES
from generator.errors import PartnerkitError
from generator.layout import PRIVATE_DIR
from generator.load.config import load_config

HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
SAFE = re.compile(r"[A-Za-z0-9_./:@%+=,-]+")
"""Characters a path, address or user name may have in a generated file (no spaces, quotes, ``;``,
braces or ``$``: nothing can end a directive or start another)."""

PROXY_READ_SECONDS = 30
"""How long nginx waits for the collector's answer (a store that does not answer is a 503 sooner)."""


def _safe(value: str, what: str) -> str:
    if not SAFE.fullmatch(value):
        raise PartnerkitError(f"{what} {value!r}: use letters, digits and . / : _ - only")
    return value


@dataclass(frozen=True)
class NginxSite:
    site_host: str
    collector_host: str
    collector_prefix: str
    """The path the collector's routes sit under at its host ('' on a host of its own)."""
    site_dir: Path
    collectors: tuple[str, ...]
    """Addresses of the collector processes (several on one PostgreSQL database share the load)."""
    certificate: str
    certificate_key: str
    listen: str = "443"
    listen_http: str = "80"
    identity_header: str | None = None
    """The header an authenticating proxy sets (``identity: header``); None: cleared, never passed on."""


def nginx_site(root: Path, site_dir: Path | None, collectors: tuple[str, ...], certificate: str | None, certificate_key: str | None,
               listen: str = "443", listen_http: str = "80") -> NginxSite:
    """The nginx settings of the project at ``root``: hosts from ``site_url`` and ``analytics.endpoint``."""
    config = load_config(root)
    if not config.site_url:
        raise PartnerkitError("site_url is not set in site_config.yml: the site's server block needs its host")
    site = urlsplit(config.site_url)
    if config.analytics.endpoint:
        endpoint = urlsplit(config.analytics.endpoint)
        collector_host, prefix = endpoint.hostname or "", endpoint.path.rsplit("/", 1)[0]
    else:
        collector_host, prefix = "", ""
    for host in (site.hostname or "", collector_host):
        if host and not HOST.fullmatch(host):
            raise PartnerkitError(f"{host!r} is not a host name nginx can serve")
    if collector_host == site.hostname and not prefix:
        raise PartnerkitError("analytics.endpoint is on the site's host without a path of its own: give the collector"
                              " its own host (https://collect.example.com/e) or path (https://partners.example.com/collect/e)")
    default_certificate = f"/etc/letsencrypt/live/{site.hostname}"
    return NginxSite(
        site.hostname or "", collector_host, _safe(prefix, "analytics.endpoint path") if prefix else "",
        Path(_safe(str(site_dir or root / "site"), "--site-dir")), tuple(_safe(collector, "--collector") for collector in collectors),
        _safe(certificate or f"{default_certificate}/fullchain.pem", "--certificate"),
        _safe(certificate_key or f"{default_certificate}/privkey.pem", "--certificate-key"),
        _safe(listen, "--listen"), _safe(listen_http, "--listen-http"),
        config.analytics.identity_header if config.analytics.identity == "header" else None)


def _tls(site: NginxSite) -> str:
    return f"""    listen {site.listen} ssl http2;
    ssl_certificate {site.certificate};
    ssl_certificate_key {site.certificate_key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:partnerkit_tls:10m;
    add_header Strict-Transport-Security "max-age=31536000" always;
    add_header X-Content-Type-Options nosniff always;
"""


def _collector_location(site: NginxSite) -> str:
    identity = (f"        # identity: header: your authentication (e.g. auth_request) must set {site.identity_header};\n"
                f"        # until it does, whatever a client sent is dropped here.\n" if site.identity_header else "")
    header = site.identity_header or "X-Partnerkit-Rep"
    return f"""    location {site.collector_prefix}/ {{
        # The collector's own limits (partnerkit's MAX_BODY_BYTES and BODY_SECONDS): nginx answers
        # oversized bodies (413) and slow ones (408) before the collector is bothered.
        client_max_body_size {MAX_BODY_BYTES // 1024}k;
        client_body_buffer_size {MAX_BODY_BYTES // 1024}k;
        client_body_timeout {BODY_SECONDS}s;
        proxy_pass http://partnerkit_collector/;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        # The client's address as nginx saw it (never a client's own X-Forwarded-For): the collector
        # trusts it from analytics.trusted_proxies only, for its per-address rate limit.
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
{identity}        proxy_set_header {header} "";
        proxy_request_buffering on;
        proxy_connect_timeout 5s;
        proxy_send_timeout {BODY_SECONDS}s;
        proxy_read_timeout {PROXY_READ_SECONDS}s;
    }}
"""


def _collector_limits() -> str:
    return f"""    # Headers that trickle in are timed out like the collector's bodies (BODY_SECONDS).
    client_header_timeout {BODY_SECONDS}s;
    large_client_header_buffers 4 8k;
    send_timeout 10s;
    keepalive_timeout 15s;
"""


def _site_locations(site: NginxSite) -> str:
    return f"""    root {site.site_dir};
    index index.html;
    error_page 404 /404.html;
    client_max_body_size 1k;
    client_header_timeout 10s;
    client_body_timeout 10s;
    # Pages, stylesheets, scripts and the search index travel compressed (a third of their size or less).
    gzip on;
    gzip_vary on;
    gzip_comp_level 5;
    gzip_types text/css application/javascript text/javascript application/json image/svg+xml application/xml text/xml text/vtt;

    location / {{
        try_files $uri $uri/ =404;
        # Pages and partnerkit's own assets change with every build: ask before reusing them.
        add_header Cache-Control "no-cache" always;
        add_header X-Content-Type-Options nosniff always;
        add_header Strict-Transport-Security "max-age=31536000" always;
    }}
    # Material's bundles carry their content's hash in their names: cached for a year.
    location ~ "^/(.+/)?assets/(javascripts|stylesheets)/.+\\.[0-9a-f]{{8}}\\.min\\.(js|css)$" {{
        try_files $uri =404;
        add_header Cache-Control "public, max-age=31536000, immutable" always;
        add_header X-Content-Type-Options nosniff always;
    }}
    # Talk recordings: answered in byte ranges (206), so the player seeks without downloading them.
    location ~ "^/(.+/)?media/" {{
        try_files $uri =404;
        max_ranges 1;
        add_header Cache-Control "public, max-age=86400" always;
        add_header X-Content-Type-Options nosniff always;
    }}
"""


def nginx_config(site: NginxSite) -> str:
    """The nginx configuration (an ``http`` context include, e.g. ``/etc/nginx/sites-available/partnerkit``)."""
    names = " ".join(dict.fromkeys(host for host in (site.site_host, site.collector_host) if host))
    collector_server = ""
    if site.collector_host and site.collector_host != site.site_host:
        collector_server = f"""
# The collector: every route it serves, on a host of its own.
server {{
{_tls(site)}    server_name {site.collector_host};
{_collector_limits()}
{_collector_location(site)}}}
"""
    shared_collector = _collector_location(site) if site.collector_host == site.site_host else ""
    servers = "".join(f"    server {collector};\n" for collector in site.collectors)
    return f"""# Written by partnerkit deploy nginx: the site and its collector behind TLS.
# Include it in nginx's http block (Debian: /etc/nginx/sites-enabled/), then: nginx -t && systemctl reload nginx

upstream partnerkit_collector {{
{servers}    keepalive 16;
}}

server {{
    listen {site.listen_http};
    server_name {names};
    return 301 https://$host$request_uri;
}}

# The static site.
server {{
{_tls(site)}    server_name {site.site_host};
{_site_locations(site)}{shared_collector}}}
{collector_server}"""


UNIT_HARDENING = """NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
CapabilityBoundingSet=
AmbientCapabilities=
UMask=0077"""


def systemd_unit(root: Path, user: str, db: str | None, host: str, port: int, metrics: str | None,
                 environment_file: str) -> str:
    """A systemd service running ``partnerkit collect`` for the project at ``root`` with the Python
    that runs this command (the virtual environment partnerkit is installed in)."""
    load_config(root)  # the project must be one
    command = [_safe(sys.executable, "the Python executable"), "-m", "generator", "collect", "-p", _safe(str(root), "the project folder"),
               "--host", _safe(host, "--host"), "--port", str(port)]
    if db:
        command += ["--db", _safe(db, "--db")]
    if metrics:
        command += ["--metrics", _safe(metrics, "--metrics")]
    writable = [str(root / PRIVATE_DIR)]
    return f"""# Written by partnerkit deploy systemd: the collector as a service.
# Install: copy to /etc/systemd/system/partnerkit-collect.service, then
#   systemctl daemon-reload && systemctl enable --now partnerkit-collect
[Unit]
Description=partnerkit collector ({root.name})
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=exec
User={_safe(user, "--user")}
Group={_safe(user, "--user")}
WorkingDirectory={root}
# PARTNERKIT_TOKEN_KEYS=… and PARTNERKIT_CREDENTIAL_KEYS=… (readable by root only: chmod 600)
EnvironmentFile={_safe(environment_file, "--environment-file")}
ExecStart={shlex.join(command)}
# SIGTERM: the collector stops taking connections, finishes the requests in flight and commits them.
KillSignal=SIGTERM
TimeoutStopSec=45
Restart=on-failure
RestartSec=2

ReadWritePaths={" ".join(writable)}
{UNIT_HARDENING}

[Install]
WantedBy=multi-user.target
"""
