// PLACEHOLDER until the stage1 lands.
export async function buildStage1Image(_workDir: string): Promise<void> {}
export async function buildHelloImage(_distDir: string): Promise<void> {}
