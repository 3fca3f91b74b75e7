/** What the gateway itself answers to a refused `generate` over tRPC: the message and field errors a page shows. */

/** The gateway's message for `prompt`, and its field errors for the prompt joined as pages show them. */
export async function refusedPrompt(
  gatewayUrl: string,
  prompt: string,
): Promise<{ message: string; promptError: string }> {
  const answer = await fetch(`${gatewayUrl}/trpc/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { prompt } }),
  })
  const { error } = (await answer.json()) as {
    error: { json: { message: string; data: { fieldErrors: { fieldErrors: { prompt: string[] } } } } }
  }
  return {
    message: error.json.message,
    promptError: error.json.data.fieldErrors.fieldErrors.prompt.join('; '),
  }
}
