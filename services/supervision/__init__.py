"""亮灯督办 (supervision): SLA rules, sweep, notifications, progress reports, statistics, dashboards."""
