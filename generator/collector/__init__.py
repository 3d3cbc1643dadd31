"""The collector: the ASGI app the site's visitors talk to. ``app.py`` receives view events and holds
the request checks every route makes (origin, bot, body size and time, JSON depth, rep token);
``exams.py`` runs exam attempts and certificate checks on top of them."""
