import { describe, expect, it } from "vitest";
import { makeUploader, uploadProblem } from "./uploads";

describe("uploads", () => {
  it("refuses what the server would refuse before sending", () => {
    expect(uploadProblem({ type: "image/gif", size: 10, name: "a.gif" }, 100)).toBe("a.gif is not a JPEG or PNG image");
    expect(uploadProblem({ type: "image/png", size: 1000, name: "a.png" }, 100)).toBe("a.png is 1,000 bytes; the server accepts at most 100");
    expect(uploadProblem({ type: "image/jpeg", size: 0, name: "a.jpg" }, 100)).toBe("a.jpg is empty");
    expect(uploadProblem({ type: "image/jpeg", size: 50, name: "a.jpg" }, 100)).toBeNull();
  });

  it("sends the file as the body with its type and reports the server's error", async () => {
    const calls: [string, RequestInit][] = [];
    const ok = makeUploader("/uploads", (async (url: string, init: RequestInit) => {
      calls.push([url, init]);
      return new Response(JSON.stringify({ image: "upload:ab", bytes: 3, format: "png", width: 1, height: 1 }), { status: 201 });
    }) as unknown as typeof fetch);
    const file = new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" });
    expect((await ok(file)).image).toBe("upload:ab");
    expect(calls[0][0]).toBe("/uploads");
    expect(calls[0][1].headers).toEqual({ "content-type": "image/png" });
    expect(calls[0][1].body).toBe(file);
    const refused = makeUploader("/uploads", (async () =>
      new Response(JSON.stringify({ errors: [{ message: "too big", extensions: { code: "LIMIT_EXCEEDED" } }] }), { status: 413 })) as unknown as typeof fetch);
    await expect(refused(file)).rejects.toMatchObject({ message: "too big", code: "LIMIT_EXCEEDED" });
  });
});
