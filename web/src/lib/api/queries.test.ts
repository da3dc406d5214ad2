import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { ALL_QUERIES } from "./queries";
import { ApiError, unwrap } from "./client";

const schemaPath = fileURLToPath(new URL("../../../../server/schema.graphql", import.meta.url));
const schema = buildSchema(readFileSync(schemaPath, "utf8"));

describe("queries match server/schema.graphql", () => {
  for (const [name, doc] of Object.entries(ALL_QUERIES)) {
    it(`${name} validates`, () => {
      const errors = validate(schema, parse(doc));
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  }
  it("a wrong field is caught (the check can fail)", () => {
    const errors = validate(schema, parse("{ models { id notAField } }"));
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe("unwrap", () => {
  it("returns data", () => {
    expect(unwrap({ data: { a: 1 } })).toEqual({ a: 1 });
  });
  it("throws the first error with its code", () => {
    try {
      unwrap({ data: null, errors: [{ message: "no class 'zzz'", extensions: { code: "NOT_FOUND" } }] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe("NOT_FOUND");
      expect((e as ApiError).message).toContain("zzz");
    }
  });
});
