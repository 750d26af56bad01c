"""SVG charts for pages and reports: bar charts and the case Gantt chart."""
