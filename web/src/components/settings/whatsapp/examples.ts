/** The commands the WhatsApp card shows: connecting through the API, and trying a number without Meta. */

const auth = `-H "Authorization: Bearer $ALCHEMIST_API_KEY"`;

/** `POST /v1/whatsapp/connections`, for admins who script their setup. */
export function whatsAppApiExample(origin: string, agentId: string): string {
  return [
    `curl -X POST ${origin}/v1/whatsapp/connections \\`,
    `  ${auth} \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"phoneNumberId": "<from Meta>", "wabaId": "<from Meta>", "agentId": "${agentId}",`,
    `       "accessToken": "<token>", "appSecret": "<app secret>", "verifyToken": "<a token you choose>"}'`,
    ``,
    `# then set Meta's callback URL to ${origin}<webhookPath from the answer>, with the same verify token`,
  ].join("\n");
}

/**
 * scripts/whatsapp-simulator.mjs plays Meta's two parts: a stand-in Graph API the platform sends replies to,
 * and signed webhook deliveries of what you type. The app secret is the one entered when connecting: the
 * studio never has it again.
 */
export function whatsAppSimulatorExample(
  origin: string,
  connection: { readonly id: string; readonly phoneNumberId: string },
): string {
  return [
    `# start the platform with replies going to the simulator's stand-in Graph API`,
    `WHATSAPP_GRAPH_URL=http://127.0.0.1:8790 npm start`,
    ``,
    `# in another terminal: type messages as a customer would`,
    `npm run whatsapp:simulate -- --platform ${origin} --connection ${connection.id} \\`,
    `  --app-secret <the app secret you entered> --phone-number-id ${connection.phoneNumberId}`,
  ].join("\n");
}
