"""Runs kubeconform's scripts/openapi2jsonschema.py conversion on CRDs given as JSON.

The upstream script (the pinned kubeconform's, copied to .cache/tools/share/kubeconform/) is loaded
as a module and its own write_schema_file writes each schema: int-or-string becomes string|integer,
`additionalProperties: false` is added where properties are listed (the root too, with
DENY_ROOT_ADDITIONAL_PROPERTIES), files are named by FILENAME_FORMAT. Three things differ, each
making the schemas say what the API server accepts:

- Input is JSON, read with the json module: PyYAML's pure-Python loader, which the script uses,
  takes about a minute for the project's CRDs; this takes seconds.
- Its additional_properties() walks every dict, so a field literally named `properties` (External
  Secrets' CRD has one) gets `additionalProperties: false` added among the fields, which makes the
  schema invalid and kubeconform then reports "could not find schema"
  (https://github.com/yannh/kubeconform/issues/295). Here only schema nodes are made strict, and a
  node with `x-kubernetes-preserve-unknown-fields: true` keeps unknown fields, as the API server does
  (https://github.com/yannh/kubeconform/issues/224).
- The API server accepts apiVersion, kind and metadata on every object even where a CRD's schema
  does not list them (Istio's do not); they are added to the root's properties when missing, so
  the root can be strict.

usage: python openapi2jsonschema_json.py <dir of openapi2jsonschema.py> FILE.json...
       (each FILE is a JSON array of CustomResourceDefinition objects; schemas go to the cwd)
"""
import importlib.util
import json
import os
import sys

SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
SCHEMA_VALUES = ("items", "additionalProperties", "not", "additionalItems")


def strict(schema, skip=False):
    """additional_properties() of the script, visiting schema nodes only."""
    if not isinstance(schema, dict):
        return schema
    if "properties" in schema and not skip and "additionalProperties" not in schema:
        if schema.get("x-kubernetes-preserve-unknown-fields") is not True:
            schema["additionalProperties"] = False
    for key in SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            for sub in schema[key].values():
                strict(sub)
    for key in SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            for sub in schema[key]:
                strict(sub)
    for key in SCHEMA_VALUES:
        value = schema.get(key)
        if isinstance(value, dict):
            strict(value)
        elif isinstance(value, list):
            for sub in value:
                strict(sub)
    return schema


def with_object_meta(schema):
    properties = schema.setdefault("properties", {})
    properties.setdefault("apiVersion", {"type": "string"})
    properties.setdefault("kind", {"type": "string"})
    properties.setdefault("metadata", {"type": "object"})
    return schema


def main() -> None:
    spec = importlib.util.spec_from_file_location("openapi2jsonschema", os.path.join(sys.argv[1], "openapi2jsonschema.py"))
    o2j = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(o2j)
    o2j.additional_properties = strict
    filename_format = os.getenv("FILENAME_FORMAT", "{kind}_{version}")
    for path in sys.argv[2:]:
        with open(path) as f:
            crds = json.load(f)
        for crd in crds:
            crd_spec = crd["spec"]
            for version in crd_spec.get("versions") or []:
                schema = (version.get("schema") or {}).get("openAPIV3Schema")
                if schema is None:
                    continue
                filename = filename_format.format(
                    kind=crd_spec["names"]["kind"],
                    group=crd_spec["group"].split(".")[0],
                    fullgroup=crd_spec["group"],
                    version=version["name"],
                ).lower() + ".json"
                o2j.write_schema_file(with_object_meta(schema), filename)


if __name__ == "__main__":
    main()
