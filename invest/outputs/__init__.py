"""What the user gets: text, csv and json renderers, the xlsx reports and the charts."""
