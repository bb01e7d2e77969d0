"""The Dash app (later issue): reads only the indicators layer's results."""
