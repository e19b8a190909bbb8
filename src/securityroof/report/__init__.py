"""Reports and exports: the HTML report, maps, figures, GeoJSON, CZML, KML and tables."""
