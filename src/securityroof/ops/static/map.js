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
  const panes = { basemap: 350, coverage: 380, history: 410, impact: 420, reports: 430, tracks: 440 };
  for (const [name, z] of Object.entries(panes)) map.map.createPane(name).style.zIndex = z;
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
  for (const s of sites) {
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
          .bindTooltip('', { permanent: true, direction: 'right', offset: [8, 0], className: 'map-label' })
          .addTo(map.layers.tracks),
        history: L.polyline([], { pane: 'history', interactive: false, color: TRACK_COLOUR, weight: 1.5, opacity: 0.7, className: 'track-history' })
          .addTo(map.layers.history),
        ellipse: null,
        centre: null,
      });
    }
    updateTrack(map.tracks.get(key), t);
  }
  for (const [key, layers] of map.tracks) if (!seen.has(key)) { Object.values(layers).forEach(drop); map.tracks.delete(key); }
}

function updateTrack(layers, t) {
  const confirmed = t.status === 'confirmed';
  // Confirmed: filled with its history; tentative: hollow and dashed, no history yet.
  layers.marker.setLatLng([t.lat_deg, t.lon_deg]).setStyle({
    color: TRACK_COLOUR, weight: 2, fillColor: TRACK_COLOUR, fillOpacity: confirmed ? 0.9 : 0, dashArray: confirmed ? null : '3 2',
  });
  layers.marker.setTooltipContent(trackLabel(t));
  setAttrs(layers.marker, { 'data-track-id': t.id, 'data-status': t.status });
  layers.history.setLatLngs(confirmed ? t.history || [] : []);
  updateImpact(layers, t);
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
