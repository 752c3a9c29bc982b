"use strict";
(function () {
  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  var spec = null;
  var resolve = function (s) {
    var guard = 0;
    while (s && s.$ref && guard++ < 10) {
      var parts = s.$ref.replace(/^#\//, "").split("/");
      s = parts.reduce(function (o, k) { return o ? o[k] : undefined; }, spec);
    }
    return s || {};
  };
  var typeOf = function (s) {
    if (Array.isArray(s.type)) return s.type.join(" | ");
    if (s.contentMediaType) return "file";
    return s.type || "any";
  };
  var authOf = function (op) {
    var sec = op.security || [];
    if (sec.length === 0) return ["no auth", "noauth"];
    var optional = sec.some(function (r) { return Object.keys(r).length === 0; });
    return optional ? ["bearer token optional", "auth"] : ["bearer token", "auth"];
  };
  var fieldRows = function (tbody, schema, nested) {
    var props = schema.properties || {};
    var required = schema.required || [];
    Object.keys(props).forEach(function (name) {
      var p = resolve(props[name]);
      var tr = el("tr", nested ? "nested" : "");
      var td = el("td", "name mono");
      td.appendChild(el("span", "", name));
      if (required.indexOf(name) >= 0) td.appendChild(el("span", "req", " *"));
      tr.appendChild(td);
      tr.appendChild(el("td", "mono", typeOf(p)));
      var desc = p.description || "";
      if (p.enum) desc += (desc ? "; " : "") + "one of: " + p.enum.join(", ");
      tr.appendChild(el("td", "", desc));
      tbody.appendChild(tr);
      if (p.type === "object" && p.properties) fieldRows(tbody, p, true);
    });
  };
  var renderMethod = function (path, item) {
    var name = path.replace(/^\//, "");
    var post = item.post || item.get;
    var box = el("section", "method");
    box.id = name;
    box.dataset.name = name.toLowerCase();
    var head = el("div", "head");
    head.appendChild(el("h3", "", name));
    ["post", "get"].forEach(function (v) { if (item[v]) head.appendChild(el("span", "badge " + v, v)); });
    var auth = authOf(post);
    head.appendChild(el("span", "badge " + auth[1], auth[0]));
    box.appendChild(head);
    box.appendChild(el("p", "", post.summary || ""));
    var body = post.requestBody && post.requestBody.content;
    var media = body ? Object.keys(body)[0] : null;
    var schema = media ? resolve(body[media].schema) : {};
    if (schema.properties && Object.keys(schema.properties).length) {
      var table = el("table");
      var thead = el("thead");
      var hr = thead.appendChild(el("tr"));
      ["field", "type", "description"].forEach(function (h) { hr.appendChild(el("th", "", h)); });
      table.appendChild(thead);
      var tbody = el("tbody");
      fieldRows(tbody, schema, false);
      table.appendChild(tbody);
      if (media.indexOf("json") < 0) box.appendChild(el("p", "muted", "Body: " + media));
      box.appendChild(table);
    } else {
      box.appendChild(el("p", "muted", "Body: {} (no parameters)"));
    }
    if (schema.anyOf) {
      var alts = schema.anyOf.map(function (a) { return "{" + (a.required || []).join(", ") + "}"; });
      box.appendChild(el("p", "", "Send one of: " + alts.join(" or ")));
    }
    var codes = el("p", "codes");
    Object.keys(post.responses || {}).sort().forEach(function (code) {
      var r = resolve(post.responses[code]);
      var span = el("span", "mono", code);
      span.title = r.description || "";
      codes.appendChild(span);
    });
    var ok = resolve((post.responses || {})["200"]);
    box.appendChild(el("p", "", "200: " + (ok.description || "")));
    box.appendChild(el("div", "muted", "Statuses:"));
    box.appendChild(codes);
    return box;
  };
  var render = function () {
    document.getElementById("title").textContent = spec.info.title;
    document.title = spec.info.title;
    document.getElementById("intro").textContent = spec.info.description || "";
    document.getElementById("servers").textContent = "Base paths: " +
      (spec.servers || []).map(function (s) { return s.url; }).join(", ") + "  ·  OpenAPI " + spec.openapi;
    var main = document.getElementById("methods");
    var toc = document.getElementById("toc");
    main.textContent = "";
    var groups = {};
    Object.keys(spec.paths).sort().forEach(function (path) {
      var tag = ((spec.paths[path].post || {}).tags || ["other"])[0];
      (groups[tag] = groups[tag] || []).push(path);
    });
    Object.keys(groups).sort().forEach(function (tag) {
      var h = el("h2", "", tag);
      h.dataset.group = tag;
      main.appendChild(h);
      groups[tag].forEach(function (path) {
        main.appendChild(renderMethod(path, spec.paths[path]));
        var a = el("a", "", path.slice(1));
        a.href = "#" + path.slice(1);
        toc.appendChild(a);
      });
    });
  };
  document.getElementById("filter").addEventListener("input", function (ev) {
    var q = ev.target.value.trim().toLowerCase();
    document.querySelectorAll(".method").forEach(function (m) {
      m.hidden = q !== "" && m.dataset.name.indexOf(q) < 0;
    });
  });
  fetch("openapi.json", { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (doc) { spec = doc; render(); })
    .catch(function (err) {
      var main = document.getElementById("methods");
      main.textContent = "";
      main.appendChild(el("p", "req", "Could not load openapi.json: " + err.message));
    });
})();
