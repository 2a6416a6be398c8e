// PLACEHOLDER until the native helper library lands.
export async function buildNativeLibrary(_workDir: string): Promise<void> {}
