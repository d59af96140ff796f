// Small behaviours the console needs; htmx does the rest. No inline scripts (CSP).
