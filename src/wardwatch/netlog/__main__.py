"""`python -m wardwatch.netlog serve|verify|scan`: the syslog commands before they join the main CLI."""
from .cli import syslog_app

syslog_app(prog_name="wardwatch syslog")
