// A real OpenID provider for the single sign-on tests: the certified `oidc-provider` library,
// on 127.0.0.1:$PORT, with a plain sign-in page of its own (type any account id; the
// accounts in $OIDC_ACCOUNTS have the claims given there) and consent granted at once.
//
//   PORT             port to listen on
//   OIDC_CLIENTS     JSON list of client metadata (client_id, client_secret, redirect_uris)
//   OIDC_ACCOUNTS    JSON object: account id -> claims (email, email_verified, name, …)
//   ID_TOKEN_TTL     seconds an ID token is valid (default 3600)
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const SCOPE = 'openid email profile cev';

const provider = new Provider(issuer, {
  clients: JSON.parse(process.env.OIDC_CLIENTS),
  scopes: ['openid', 'email', 'profile', 'cev', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    cev: ['cev_role', 'cev_territory'],
  },
  // The claims of the scopes granted go into the ID token itself.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  ttl: { IdToken: Number(process.env.ID_TOKEN_TTL || 3600) },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['cev-learn-test-provider'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...(accounts[id] || { email: id, email_verified: true }) };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPE);
    await grant.save();
    return grant;
  },
});

function page(uid) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><h1>Test identity provider</h1>
<form method="post" action="/interaction/${uid}/login">
<label for="login">Account</label> <input id="login" name="login" autofocus>
<button type="submit">Continue</button></form></body></html>`;
}

async function interaction(req, res, uid, login) {
  if (req.method === 'GET') {
    await provider.interactionDetails(req, res);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page(uid));
    return;
  }
  let body = '';
  for await (const chunk of req) body += chunk;
  const account = new URLSearchParams(body).get('login');
  await provider.interactionFinished(req, res, { login: { accountId: account } },
    { mergeWithLastSubmission: false });
}

const handle = provider.callback();
http.createServer((req, res) => {
  const found = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!found) return handle(req, res);
  interaction(req, res, found[1], Boolean(found[2])).catch((error) => {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end(String(error));
  });
}).listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
