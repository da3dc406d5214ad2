/**
 * POST /uploads: one JPEG or PNG file as the request body (not GraphQL; see server/uploads.py).
 * The answer names the upload (`upload:<sha256>`), which `imageGraph(image: ...)` accepts.
 */
import { ApiError } from "./client";
import type { UploadData } from "./types";

export const UPLOAD_TYPES = ["image/jpeg", "image/png"] as const;

/** Why a file cannot be uploaded before sending it (type, size), or null. */
export function uploadProblem(file: { type: string; size: number; name: string }, maxBytes: number): string | null {
  if (!(UPLOAD_TYPES as readonly string[]).includes(file.type)) return `${file.name} is not a JPEG or PNG image`;
  if (file.size > maxBytes) return `${file.name} is ${file.size.toLocaleString("en")} bytes; the server accepts at most ${maxBytes.toLocaleString("en")}`;
  if (file.size === 0) return `${file.name} is empty`;
  return null;
}

export function makeUploader(endpoint = "/uploads", fetchImpl: typeof fetch = fetch.bind(globalThis)) {
  return async function upload(file: Blob): Promise<UploadData> {
    let res: Response;
    try {
      res = await fetchImpl(endpoint, { method: "POST", headers: { "content-type": file.type }, body: file });
    } catch (err) {
      throw new ApiError(`Cannot reach the Summit server (${(err as Error).message})`, "UNREACHABLE");
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new ApiError(`The server answered ${res.status} ${res.statusText} without JSON`, "BAD_RESPONSE");
    }
    if (!res.ok) {
      const e = (body as { errors?: { message?: string; extensions?: { code?: string } }[] }).errors?.[0];
      throw new ApiError(e?.message ?? `upload failed (${res.status})`, e?.extensions?.code ?? null);
    }
    return body as UploadData;
  };
}

export type Uploader = ReturnType<typeof makeUploader>;
