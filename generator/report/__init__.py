"""Reports read from the store: the monthly partner-enablement report (tables, charts, HTML and CSV),
the certification funnel, compliance with worklist procedures and deal signals."""
