"""E-mail notifications: which messages are due (``messages``), how they are written (``mail``) and
the signed one-click unsubscribe links in them (``tokens``)."""
