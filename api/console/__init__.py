"""The web console: static HTML, CSS and ES modules served by the API app at / and /console/."""
