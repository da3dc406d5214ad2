import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { ALL_QUERIES } from "./queries";
import { ApiError, makeClient, unwrap } from "./client";

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

describe("makeClient", () => {
  it("posts the query, counts requests in flight and maps errors", async () => {
    const seen: number[] = [];
    const bodies: unknown[] = [];
    const fake = (async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return new Response(JSON.stringify({ data: null, errors: [{ message: "boom", extensions: { code: "BAD_INPUT" } }] }));
    }) as unknown as typeof fetch;
    const request = makeClient("/graphql", fake, (n) => seen.push(n));
    await expect(request("{ models { id } }", { a: 1 })).rejects.toMatchObject({ code: "BAD_INPUT", message: "boom" });
    expect(bodies).toEqual([{ query: "{ models { id } }", variables: { a: 1 } }]);
    expect(seen).toEqual([1, 0]);
  });
  it("reports an unreachable server", async () => {
    const down = (async () => { throw new TypeError("Failed to fetch"); }) as unknown as typeof fetch;
    await expect(makeClient("/graphql", down)("{ models { id } }")).rejects.toMatchObject({ code: "UNREACHABLE" });
  });
});
