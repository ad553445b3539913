// The API reference page: every route of /openapi.json with its parameters, request body and
// responses, rendered here so that it works offline (FastAPI's own pages load a CDN).
"use strict";

function resolve(schema, spec) {
  const ref = schema && schema.$ref;
  return ref ? spec.components.schemas[ref.split("/").pop()] : schema;
}

// a short type name for a JSON Schema: "string", "integer ≥ 0", "list of string", "RunRequest"
function typeName(schema, spec) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.anyOf) return schema.anyOf.map((s) => typeName(s, spec)).join(" or ");
  if (schema.type === "array") return `list of ${typeName(schema.items, spec) || "values"}`;
  if (schema.type === "object" && schema.additionalProperties) return "object";
  const bounds = [];
  if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) bounds.push(`≤ ${schema.maximum}`);
  if (schema.pattern) bounds.push(`matching ${schema.pattern}`);
  if (schema.format) bounds.push(schema.format);
  return [schema.type || "any", ...bounds].join(" ");
}

function fieldsTable(schema, spec) {
  const body = resolve(schema, spec);
  if (!body || !body.properties) return el("p", { class: "hint", text: typeName(schema, spec) });
  const required = new Set(body.required || []);
  const rows = Object.entries(body.properties).map(([name, prop]) => el("tr", {},
    el("td", {}, el("code", { text: name }), required.has(name) ? " *" : ""),
    el("td", { text: typeName(prop, spec) }),
    el("td", { text: [prop.description || "", prop.default !== undefined && prop.default !== null
      ? `default ${JSON.stringify(prop.default)}` : ""].filter(Boolean).join("; ") })));
  return el("table", { class: "grid" },
    el("tr", {}, ...["field", "type", "meaning"].map((h) => el("th", { text: h }))), ...rows);
}

function operation(path, method, op, spec) {
  const card = el("section", { class: "card api-route", "data-route": `${method.toUpperCase()} ${path}` },
    el("h2", {}, el("code", { text: `${method.toUpperCase()} ${path}` }), ` ${op.summary || ""}`));
  if (op.description) card.append(el("p", { text: op.description.replaceAll("``", "") }));
  const params = op.parameters || [];
  if (params.length) {
    card.append(el("h3", { text: "Parameters" }), el("table", { class: "grid" },
      el("tr", {}, ...["name", "in", "type", "meaning"].map((h) => el("th", { text: h }))),
      ...params.map((p) => el("tr", {}, el("td", {}, el("code", { text: p.name })),
        el("td", { text: p.in }), el("td", { text: typeName(p.schema, spec) }),
        el("td", { text: p.description || "" })))));
  }
  const content = op.requestBody && op.requestBody.content;
  if (content) {
    const [kind, media] = Object.entries(content)[0];
    card.append(el("h3", { text: `Request body (${kind})` }), fieldsTable(media.schema, spec));
  }
  const responses = Object.entries(op.responses || {});
  card.append(el("h3", { text: "Responses" }), el("ul", {},
    ...responses.map(([code, r]) => el("li", {}, el("code", { text: code }), ` ${r.description || ""}`))));
  return card;
}

async function main() {
  const box = document.getElementById("api-routes");
  try {
    const spec = await (await fetch("/openapi.json")).json();
    document.getElementById("api-lead").prepend(`${spec.info.description} `);
    box.replaceChildren();
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) box.append(operation(path, method, op, spec));
    }
  } catch (err) {
    box.replaceChildren(el("p", { class: "problems", text: `Could not read /openapi.json: ${err}` }));
  }
}

main();
