/** Minimal GraphQL client: POST /graphql, turn GraphQL errors into ApiError with the server's code. */

export class ApiError extends Error {
  constructor(message: string, readonly code: string | null = null) {
    super(message);
    this.name = "ApiError";
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Extract data or throw the first error (with its code, e.g. NOT_FOUND). Pure, for tests. */
export function unwrap<T>(body: GraphQLResponse<T>): T {
  if (body.errors && body.errors.length > 0) {
    const e = body.errors[0];
    throw new ApiError(e.message, e.extensions?.code ?? null);
  }
  if (body.data == null) throw new ApiError("The server returned no data");
  return body.data;
}

export type Fetcher = (query: string, variables: Record<string, unknown>) => Promise<unknown>;

/**
 * `request(query, variables)` bound to an endpoint. `onPending` hears the number of requests in
 * flight after each start and finish (the header's activity indicator; tests wait for 0).
 */
export function makeClient(
  endpoint = "/graphql", fetchImpl: typeof fetch = fetch.bind(globalThis), onPending: (n: number) => void = () => {},
) {
  let inFlight = 0;
  return async function request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    onPending(++inFlight);
    try {
      return await send<T>(query, variables);
    } finally {
      onPending(--inFlight);
    }
  };

  async function send<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    let res: Response;
    try {
      res = await fetchImpl(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw new ApiError(`Cannot reach the Summit server (${(err as Error).message})`, "UNREACHABLE");
    }
    let body: GraphQLResponse<T>;
    try {
      body = (await res.json()) as GraphQLResponse<T>;
    } catch {
      throw new ApiError(`The server answered ${res.status} ${res.statusText} without JSON`, "BAD_RESPONSE");
    }
    return unwrap(body);
  }
}

export type Request = ReturnType<typeof makeClient>;
