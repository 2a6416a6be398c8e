// HTTP Basic credentials (auth.d `basic` and `dockerAuth` entries) as a header value.
export interface BasicCredentials {
  user: string;
  password: string;
}

/** The `Authorization` header value for HTTP Basic authentication. */
export function basicAuthorization({ user, password }: BasicCredentials): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}
