'use strict';
// The report's interactive map: reads the JSON block #map-data, draws it with the
// inlined Leaflet, no tiles and no request outside this file.
(function () {
  const holder = document.getElementById('interactive-map');
  if (!holder || typeof L === 'undefined') return;
  const data = JSON.parse(document.getElementById('map-data').textContent);
  const map = L.map(holder, { zoomSnap: 0.5, minZoom: 2, preferCanvas: false }).setView([48, 25], 4);
  map.attributionControl.setPrefix('Leaflet; coastlines GSHHS');
  const panes = { basemap: 300, cells: 350, coverage: 380, tracks: 420, points: 450 };
  for (const [name, z] of Object.entries(panes)) map.createPane(name).style.zIndex = z;
  const colour = { defended: '#1a9850', undefended: '#d7301f', interceptors: '#000000',
    sensors: '#2166ac', satellite: '#762a83', launch: '#b35806', aim: '#444444' };

  // Base map: coastlines and borders, drawn as lines (the page has no tiles).
  L.polyline(data.basemap.coastlines, { pane: 'basemap', color: '#6b7280', weight: 1, interactive: false }).addTo(map);
  L.polyline(data.basemap.borders, { pane: 'basemap', color: '#b0b6bf', weight: 0.7, interactive: false }).addTo(map);

  // One footprint at a time (radio buttons): cells as runs of equal state along a row.
  const footprints = {};
  data.footprints.forEach((f, k) => {
    const group = L.layerGroup();
    for (const [row, first, last, state] of f.runs) {
      const south = f.south + row * f.dlat;
      const bounds = [[south, f.west + first * f.dlon], [south + f.dlat, f.west + (last + 1) * f.dlon]];
      L.rectangle(bounds, {
        pane: 'cells', stroke: false, fillOpacity: 0.45, interactive: false,
        fillColor: state === 2 ? colour.defended : colour.undefended,
      }).addTo(group);
    }
    footprints['Footprint: ' + f.label] = group;
    if (k === 0) group.addTo(map);
  });
  footprints['No footprint'] = L.layerGroup();

  const tip = (layer, text, cls) => layer.bindTooltip(text, { sticky: true, className: cls || 'map-tip' });
  const threats = L.layerGroup().addTo(map);
  for (const t of data.threats) {
    const line = L.polyline(t.line, { pane: 'tracks', weight: 3, color: t.engaged ? colour.defended : colour.undefended });
    tip(line, `${t.name}: ${t.engaged ? 'engageable by ' + t.by.join(', ') : 'no battery can engage'}`).addTo(threats);
  }
  const strategic = L.layerGroup().addTo(map);
  for (const t of data.strategic) {
    const line = L.polyline(t.line, { pane: 'tracks', weight: 2, dashArray: t.engaged ? null : '6 4',
      color: t.engaged ? colour.defended : colour.undefended, opacity: 0.8 });
    tip(line, `strategic: ${t.name} (${t.engaged ? 'engageable by another party' : 'not engageable'})`).addTo(strategic);
  }
  const coverage = L.layerGroup();
  const fanColours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  data.coverage.forEach((c, k) => {
    const fan = L.polygon(c.line, { pane: 'coverage', weight: 1, color: fanColours[k % 10], fillOpacity: 0.12 });
    tip(fan, `${c.site}: ${c.radar} (against 0.1 m²)`).addTo(coverage);
  });

  // Points, each with a tooltip and (most of them) a label the declutterer may hide.
  const labels = [];
  const point = (group, p, style, text, name, priority) => {
    const marker = L.circleMarker([p.lat, p.lon], Object.assign({ pane: 'points', radius: 5, weight: 1, fillOpacity: 1 }, style));
    marker.on('add', () => { const el = marker.getElement(); if (el) el.setAttribute('data-name', name); });
    tip(marker, text).addTo(group);
    if (priority !== null) {
      const label = L.marker([p.lat, p.lon], { pane: 'points', interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'map-label', html: '<span></span>', iconSize: null, iconAnchor: [-7, 7] }) });
      label.on('add', () => { const span = label.getElement().firstChild; span.textContent = name; });
      label.priority = priority;
      label.addTo(group);
      labels.push(label);
    }
    return marker;
  };
  const sites = L.layerGroup().addTo(map);
  for (const s of data.sites) {
    const what = [s.batteries.length ? 'interceptors: ' + s.batteries.join(', ') : '',
      s.sensors.length ? 'sensors: ' + s.sensors.join(', ') : ''].filter(Boolean).join('; ');
    point(sites, s, { color: '#ffffff', fillColor: colour[s.kind], radius: s.kind === 'interceptors' ? 6 : 5 },
      `${s.id} (${s.name}, ${s.party}): ${what}`, s.id, s.kind === 'satellite' ? 3 : 1);
  }
  const ends = L.layerGroup().addTo(map);
  for (const e of data.ends) {
    point(ends, e, { color: colour[e.kind], fillColor: e.kind === 'launch' ? colour.launch : '#ffffff', radius: 5 },
      `${e.kind === 'launch' ? 'launch area' : 'aim point'}: ${e.name}`, e.name, 0);
  }
  const cities = L.layerGroup().addTo(map);
  for (const c of data.cities) {
    point(cities, c, { color: c.defended ? colour.defended : colour.undefended,
      fillColor: c.defended ? colour.defended : colour.undefended, radius: 3, weight: 0 },
    `${c.name}: ${(c.population / 1e6).toFixed(2)} million people, ${c.defended ? 'defended' : 'not defended'}`,
    c.name, c.label ? 2 : null);
  }

  // Labels that would overlap one already shown (higher priority first) are hidden.
  function declutter() {
    const shown = [];
    const order = labels.filter((l) => map.hasLayer(l)).sort((a, b) => a.priority - b.priority);
    for (const label of order) {
      const el = label.getElement();
      el.style.visibility = 'visible';
      const box = el.firstChild.getBoundingClientRect();
      const clash = shown.some((o) => !(box.right < o.left || box.left > o.right || box.bottom < o.top || box.top > o.bottom));
      if (clash) el.style.visibility = 'hidden'; else shown.push(box);
    }
  }
  map.on('zoomend moveend overlayadd overlayremove', declutter);

  const overlays = { 'Regional threats': threats, 'Strategic trajectories': strategic, 'Radar coverage': coverage,
    'Sites and batteries': sites, 'Launch areas and aim points': ends, 'Threatened cities': cities };
  L.control.layers(footprints, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  const legend = L.control({ position: 'bottomleft' });
  legend.onAdd = () => {
    const div = L.DomUtil.create('div', 'map-legend');
    const rows = [['cell', colour.defended, 'defended against every threat reaching it'], ['cell', colour.undefended, 'threatened, not defended'],
      ['line', colour.defended, 'threat some battery can engage'], ['line', colour.undefended, 'threat no battery can engage (dashed: strategic)'],
      ['dot', colour.interceptors, 'interceptor site'], ['dot', colour.sensors, 'radar site'], ['dot', colour.satellite, 'infrared satellite'],
      ['dot', colour.launch, 'launch area'], ['ring', colour.aim, 'aim point'], ['small', colour.defended, 'city, defended (red: not)']];
    for (const [kind, c, text] of rows) {
      const row = L.DomUtil.create('div', 'map-legend-row', div);
      const key = L.DomUtil.create('span', 'map-key map-key-' + kind, row);
      key.style.setProperty('--key', c);
      L.DomUtil.create('span', '', row).textContent = text;
    }
    return div;
  };
  legend.addTo(map);
  // The view opens on the regional picture: sites on the ground and the regional threats' ends.
  const places = [...data.sites.filter((s) => s.kind !== 'satellite'), ...data.ends.filter((e) => e.regional)]
    .map((p) => [p.lat, p.lon]);
  if (places.length) map.fitBounds(L.latLngBounds(places).pad(0.1), { animate: false });
  declutter();
  holder.setAttribute('data-ready', 'true');
}());
