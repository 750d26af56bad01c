"""环评告知承诺 (EIA by commitment): catalogue rules, eligibility and the service."""
