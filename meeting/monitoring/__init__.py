"""Monitoring: what an operator's Prometheus reads at `/metrics`, and the release's version.

`counts` keeps the figures (plain Python and SQLAlchemy, no Flask); `views` answers
`/metrics` to the scraper the deployment allows, times each request by its route, and
reads the figures the database holds when it is asked.
"""
