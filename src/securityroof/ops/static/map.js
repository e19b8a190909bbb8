'use strict';
// The live map: the offline base map, sites and coverage, tracks, impact areas, reports.
// Uses app.js's state and helpers; loaded after it, called once the page has booted.

// ---------------------------------------------------------------- map

function initMap() {
  if (map.map) return;
  if (typeof L === 'undefined') { $('map-missing').hidden = false; return; }
  map.map = L.map('map', { zoomSnap: 0.5, minZoom: 2, worldCopyJump: false }).setView([50, 15], 4);
  map.map.attributionControl.setPrefix('Leaflet'); // plain text: no external link on an offline page
  // Panes fix the drawing order whatever the order in which layers are created.
  const panes = { basemap: 350, coverage: 380, history: 410, impact: 420, reports: 430, tracks: 440, labels: 610 };
  for (const [name, z] of Object.entries(panes)) map.map.createPane(name).style.zIndex = z;
  // Labels are placed in screen pixels: hidden while a zoom animates, placed again after.
  map.map.getPane('labels').classList.add('leaflet-zoom-hide');
  map.map.on('zoomend viewreset', layoutLabels);
  for (const name of ['basemap', 'coverage', 'history', 'impact', 'reports', 'sites', 'tracks']) {
    map.layers[name] = L.layerGroup().addTo(map.map);
  }
  // Sites, tracks and impact areas always stay on; the rest can be hidden when the map is busy.
  L.control.layers(null, {
    'Sensor coverage': map.layers.coverage, 'Track history': map.layers.history, 'Raw reports (last 60 s)': map.layers.reports,
  }).addTo(map.map);
  L.control.scale({ imperial: false }).addTo(map.map);
}

// Offline base map (no tile layer: the page must work without internet).
async function loadBasemap() {
  if (!map.map || map.basemap) return;
  const geojson = await api('/api/basemap');
  L.geoJSON(geojson, {
    pane: 'basemap', interactive: false,
    style: (f) => (f.properties && f.properties.kind === 'coastline'
      ? { color: '#5f6773', weight: 1, fill: false, className: 'basemap-coastline' }
      : { color: '#aab1bc', weight: 0.8, fill: false, className: 'basemap-border' }),
  }).addTo(map.layers.basemap);
  map.basemap = true;
}

function clearMapOverlays() {
  map.fitted = false;
  map.sitesJson = '';
  map.tracks.clear();
  for (const key of [...map.labels.keys()]) removeLabel(key);
  for (const [name, group] of Object.entries(map.layers)) if (name !== 'basemap') group.clearLayers();
}

// Test hooks: Leaflet layers take no data- attributes, so they go on the element (layer on the map).
function setAttrs(layer, attrs) {
  const node = layer.getElement();
  if (node) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
}

function drop(layer) {
  if (layer) for (const group of Object.values(map.layers)) group.removeLayer(layer);
}

function applyPicture(p) {
  if (!p || (p.exercise && String(p.exercise.id) !== state.exerciseId)) return;
  state.versions.picture += 1;
  if (p.exercise) updateExercise(p.exercise);
  setSimTime(p.sim_time_s);
  updateLegend(p);
  tickCountdowns();
  if (!map.map) return;
  drawSites(p.sites || []);
  drawTracks(p.tracks || []);
  drawReports(p.reports || [], p.sim_time_s);
  fitOnce(p.sites || []);
  layoutLabels();
  updateCardLinks();
}

function fitOnce(sites) {
  if (map.fitted || !sites.length) return;
  const bounds = L.latLngBounds(sites.map((s) => [s.lat_deg, s.lon_deg]));
  map.map.fitBounds(bounds.pad(0.15), { maxZoom: 7, animate: false });
  map.fitted = true; // the user owns the view from now on
}

function siteIcon(site) {
  const icon = el('div', { class: 'site-icon' });
  icon.style.backgroundColor = partyColour(site.party);
  return L.divIcon({ className: 'site-marker', html: icon, iconSize: [14, 14], iconAnchor: [7, 7], popupAnchor: [0, -8] });
}

function sitePopup(s) {
  return el('div', { class: 'site-popup', 'data-site-id': s.id },
    el('h3', {}, s.name),
    el('div', {}, `${s.id} · ${s.party}${s.host && s.host !== s.party ? `, hosted by ${s.host}` : ''}`),
    el('strong', {}, 'Sensors'),
    el('ul', {}, (s.sensors || []).map((x) => el('li', {}, `${x.type} (${x.kind})`))),
    el('strong', {}, 'Interceptors'),
    el('ul', {}, (s.interceptors || []).map((x) => el('li', {}, `${x.type}: ${x.remaining} of ${x.count} left`))));
}

// Sites rarely change (interceptors spent): redrawn only then, reopening the popup that was open.
function drawSites(sites) {
  const json = JSON.stringify(sites);
  if (json === map.sitesJson) return;
  map.sitesJson = json;
  let openId = null;
  map.layers.sites.eachLayer((m) => { if (m.isPopupOpen()) openId = m.siteId; });
  map.layers.sites.clearLayers();
  map.layers.coverage.clearLayers();
  for (const key of [...map.labels.keys()]) if (key.startsWith('site:')) removeLabel(key);
  for (const s of sites) {
    // Named by id, as the decision cards name them; the full name is in the popup.
    setLabel(`site:${s.id}`, 'site', [s.lat_deg, s.lon_deg], s.id, { 'data-site-id': s.id });
    const marker = L.marker([s.lat_deg, s.lon_deg], { icon: siteIcon(s), title: `${s.name} (${s.party})`, riseOnHover: true })
      .bindPopup(sitePopup(s)).addTo(map.layers.sites);
    marker.siteId = s.id;
    setAttrs(marker, { 'data-site-id': s.id, 'data-party': s.party });
    if (s.id === openId) marker.openPopup();
    for (const sensor of s.sensors || []) {
      if (!sensor.coverage || sensor.coverage.length < 3) continue;
      L.polygon(sensor.coverage, {
        pane: 'coverage', interactive: false, color: partyColour(s.party), weight: 1, opacity: 0.55,
        dashArray: '4 3', fillOpacity: 0.04, className: 'sensor-coverage',
      }).addTo(map.layers.coverage);
    }
  }
}

function trackLabel(t) {
  return `${t.id} · ${km(t.altitude_m)} km · ${((t.speed_m_s || 0) / 1000).toFixed(1)} km/s`;
}

// Tracks move every picture: their layers are kept by track id and updated in place,
// so hover tooltips do not flicker; tracks that disappear are removed.
function drawTracks(tracks) {
  const seen = new Set();
  for (const t of tracks) {
    const key = String(t.id);
    seen.add(key);
    if (!map.tracks.has(key)) {
      map.tracks.set(key, {
        marker: L.circleMarker([t.lat_deg, t.lon_deg], { pane: 'tracks', radius: 6, className: 'track-marker' })
          .on('click', () => selectTrack(key, { from: 'map' }))
          .addTo(map.layers.tracks),
        history: L.polyline([], { pane: 'history', interactive: false, color: TRACK_COLOUR, weight: 1.5, opacity: 0.7, className: 'track-history' })
          .addTo(map.layers.history),
        ellipse: null,
        centre: null,
      });
    }
    updateTrack(map.tracks.get(key), t);
  }
  for (const [key, layers] of map.tracks) {
    if (!seen.has(key)) { Object.values(layers).forEach(drop); map.tracks.delete(key); removeLabel(`track:${key}`); }
  }
}

function updateTrack(layers, t) {
  const confirmed = t.status === 'confirmed';
  layers.marker.confirmed = confirmed; // on the marker: every field of `layers` is a layer
  layers.marker.setLatLng([t.lat_deg, t.lon_deg]);
  styleTrack(layers, String(t.id) === state.selectedTrack);
  setLabel(`track:${t.id}`, 'track', [t.lat_deg, t.lon_deg], trackLabel(t), { 'data-track-id': t.id });
  setAttrs(layers.marker, { 'data-track-id': t.id, 'data-status': t.status });
  layers.history.setLatLngs(confirmed ? t.history || [] : []);
  updateImpact(layers, t);
}

// Confirmed: filled with its history; tentative: hollow and dashed, no history yet.
// The selected track is larger, ringed in the highlight colour.
function styleTrack(layers, selected) {
  const { confirmed } = layers.marker;
  layers.marker.setRadius(selected ? 9 : 6).setStyle({
    color: selected ? SELECTED_COLOUR : TRACK_COLOUR, weight: selected ? 4 : 2,
    fillColor: TRACK_COLOUR, fillOpacity: confirmed ? 0.9 : 0, dashArray: confirmed ? null : '3 2',
  });
  const node = layers.marker.getElement();
  if (node) node.dataset.selected = String(selected);
}

// Selects a track (or unselects the selected one): ringed on the map, its label and its
// decision cards marked. From a card the map pans to it; from the map its card scrolls into view.
function selectTrack(id, { from } = {}) {
  state.selectedTrack = id && id !== state.selectedTrack ? String(id) : null;
  for (const [key, layers] of map.tracks) styleTrack(layers, key === state.selectedTrack);
  layoutLabels();
  updateCardLinks();
  const layers = state.selectedTrack && map.tracks.get(state.selectedTrack);
  if (!layers) return;
  if (from === 'card' && !map.map.getBounds().contains(layers.marker.getLatLng())) map.map.panTo(layers.marker.getLatLng());
  if (from === 'map') {
    const card = $('proposals-list').querySelector(`[data-track-id="${CSS.escape(state.selectedTrack)}"]`);
    if (card) card.scrollIntoView({ block: 'nearest' });
  }
}

function updateImpact(layers, t) {
  const impact = t.impact;
  if (!impact) { drop(layers.ellipse); drop(layers.centre); layers.ellipse = layers.centre = null; return; }
  const tip = `${t.id}: impact in ${formatDuration(impact.time_to_impact_s)} (${formatT(state.simTime + impact.time_to_impact_s)})`;
  const centre = [impact.lat_deg, impact.lon_deg];
  if (!layers.ellipse) {
    layers.ellipse = L.polygon(ellipsePoints(impact), {
      pane: 'impact', color: IMPACT_COLOUR, weight: 1.5, fillColor: IMPACT_COLOUR, fillOpacity: 0.15, className: 'impact-ellipse',
    }).bindTooltip(tip, { sticky: true }).addTo(map.layers.impact);
    layers.centre = L.circleMarker(centre, {
      pane: 'impact', radius: 4, color: IMPACT_COLOUR, weight: 2, fillColor: '#ffffff', fillOpacity: 1, className: 'impact-centre',
    }).bindTooltip(tip).addTo(map.layers.impact);
  } else {
    layers.ellipse.setLatLngs(ellipsePoints(impact)).setTooltipContent(tip);
    layers.centre.setLatLng(centre).setTooltipContent(tip);
  }
  setAttrs(layers.ellipse, { 'data-track-id': t.id });
  setAttrs(layers.centre, { 'data-track-id': t.id });
}

// Impact ellipse on a local flat earth around its centre; orientation is the semi-major
// axis bearing, clockwise from north. Good to well under 1 % for ellipses of tens of km.
function ellipsePoints({ lat_deg, lon_deg, semi_major_m, semi_minor_m, orientation_deg }) {
  const theta = ((orientation_deg || 0) * Math.PI) / 180;
  const cosLat = Math.max(Math.cos((lat_deg * Math.PI) / 180), 1e-6);
  const points = [];
  for (let i = 0; i < ELLIPSE_POINTS; i += 1) {
    const t = (2 * Math.PI * i) / ELLIPSE_POINTS;
    const a = semi_major_m * Math.cos(t);
    const b = semi_minor_m * Math.sin(t);
    const north = a * Math.cos(theta) - b * Math.sin(theta);
    const east = a * Math.sin(theta) + b * Math.cos(theta);
    points.push([lat_deg + ((north / EARTH_RADIUS_M) * 180) / Math.PI, lon_deg + ((east / (EARTH_RADIUS_M * cosLat)) * 180) / Math.PI]);
  }
  return points;
}

// Raw reports change every picture and carry no popups: simply redrawn.
function drawReports(reports, simTime) {
  const group = map.layers.reports;
  group.clearLayers();
  for (const r of reports) {
    if (simTime - r.time_s > REPORT_WINDOW_S) continue;
    L.circleMarker([r.lat_deg, r.lon_deg], {
      pane: 'reports', radius: 2.5, stroke: false, fillColor: partyColour(r.party), fillOpacity: 0.85, className: 'report-dot',
    }).bindTooltip(`${r.sensor} (${r.party}) ${formatT(r.time_s)}, ${km(r.altitude_m)} km`).addTo(group);
  }
}

function updateLegend(p) {
  const parties = new Set((p.sites || []).map((s) => s.party));
  (p.reports || []).forEach((r) => parties.add(r.party));
  (p.tracks || []).forEach((t) => (t.parties || []).forEach((x) => parties.add(x)));
  if (state.user && state.user.party) parties.add(state.user.party);
  const list = [...parties].filter(Boolean).sort();
  const legend = $('legend');
  if (legend.dataset.parties === list.join(',')) return;
  legend.dataset.parties = list.join(',');
  legend.replaceChildren(...list.map((party) => el('li', { 'data-party': party }, swatch(party), party)));
}

// ---------------------------------------------------------------- labels

// Site and track labels are placed by the page itself, greedily, so that none covers
// another or a labelled symbol: the selected track first, then the other tracks, then
// sites; each takes the first free spot of the candidates around its symbol, nearest
// first, with a leader line when it sits away from it. A label with no free spot is
// hidden (its symbol keeps its popup or the track's card).
const LABEL_GAPS_PX = [12, 26, 42]; // from the symbol's centre to the label's near edge
const LABEL_DIRECTIONS = [[1, 0], [-1, 0], [0, -1], [0, 1], [1, -1], [-1, -1], [1, 1], [-1, 1]];
const SYMBOL_BOX_PX = { site: 20, track: 18 }; // a site's diamond, a selected track's circle
const LABEL_ORDER = { track: 1, site: 2 };

function setLabel(key, kind, latlng, text, attrs) {
  if (!map.map) return;
  let label = map.labels.get(key);
  if (!label) {
    const node = el('div', { class: `map-label map-label-${kind}`, 'data-label': kind, ...attrs });
    const leader = el('div', { class: 'map-leader', hidden: true, 'aria-hidden': 'true' });
    if (kind === 'track') node.addEventListener('click', () => selectTrack(attrs['data-track-id'], { from: 'map' }));
    map.map.getPane('labels').append(leader, node);
    label = { kind, node, leader, latlng, id: attrs['data-track-id'] ?? attrs['data-site-id'] };
    map.labels.set(key, label);
  }
  label.latlng = latlng;
  if (label.node.textContent !== text) label.node.textContent = text;
}

function removeLabel(key) {
  const label = map.labels.get(key);
  if (!label) return;
  label.node.remove();
  label.leader.remove();
  map.labels.delete(key);
}

function labelBox(point, width, height, gap, [dx, dy]) {
  const along = dx && dy ? gap * 0.75 : gap;
  const x = dx > 0 ? point.x + along : dx < 0 ? point.x - along - width : point.x - width / 2;
  const y = dy > 0 ? point.y + along : dy < 0 ? point.y - along - height : point.y - height / 2;
  return { x, y, width, height };
}

function boxesOverlap(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function layoutLabels() {
  if (!map.map) return;
  const labels = [...map.labels.values()].sort((a, b) => Number(b.id === state.selectedTrack && b.kind === 'track')
    - Number(a.id === state.selectedTrack && a.kind === 'track') || LABEL_ORDER[a.kind] - LABEL_ORDER[b.kind]);
  // All reads first, then all writes: one layout of the page, not one per label.
  for (const label of labels) {
    label.node.hidden = false;
    label.node.classList.toggle('selected', label.kind === 'track' && label.id === state.selectedTrack);
  }
  const sizes = labels.map((label) => [label.node.offsetWidth, label.node.offsetHeight]);
  const points = labels.map((label) => map.map.latLngToLayerPoint(label.latlng));
  const taken = labels.map((label, i) => {
    const size = SYMBOL_BOX_PX[label.kind];
    return { x: points[i].x - size / 2, y: points[i].y - size / 2, width: size, height: size };
  });
  labels.forEach((label, i) => {
    const { node, leader } = label;
    const spot = freeSpot(points[i], ...sizes[i], taken);
    node.hidden = !spot;
    leader.hidden = !spot || spot.gap === LABEL_GAPS_PX[0];
    if (!spot) return;
    taken.push(spot.box);
    node.style.left = `${spot.box.x}px`;
    node.style.top = `${spot.box.y}px`;
    if (!leader.hidden) drawLeader(leader, points[i], spot.box);
  });
}

// The first candidate box around `point`, nearest first, that meets none of `taken`.
function freeSpot(point, width, height, taken) {
  for (const gap of LABEL_GAPS_PX) {
    for (const direction of LABEL_DIRECTIONS) {
      const box = labelBox(point, width, height, gap, direction);
      if (!taken.some((other) => boxesOverlap(box, other))) return { box, gap };
    }
  }
  return null;
}

// A thin line from the symbol to the nearest point of its label's box.
function drawLeader(leader, from, box) {
  const toX = Math.min(Math.max(from.x, box.x), box.x + box.width);
  const toY = Math.min(Math.max(from.y, box.y), box.y + box.height);
  const length = Math.hypot(toX - from.x, toY - from.y);
  leader.style.left = `${from.x}px`;
  leader.style.top = `${from.y}px`;
  leader.style.width = `${length}px`;
  leader.style.transform = `rotate(${Math.atan2(toY - from.y, toX - from.x)}rad)`;
}
