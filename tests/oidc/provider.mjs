// The council's sign-in service in miniature, for tests/test_oidc.py: a real OpenID Connect
// provider (the oidc-provider package) with a few people, one of them switched off.
//
//   node provider.mjs --port PORT --redirect-uri URI... [--client-id ID] [--client-secret SECRET]
//
// It says "OpenID provider listening on <issuer>" once it answers. Its sign-in page asks
// only for a username (no password): the tests stand in for the person typing it.

import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'client-id': { type: 'string', default: 'meeting' },
    'client-secret': { type: 'string', default: 'meeting-client-secret' },
  },
});
if (!options.port || !options['redirect-uri']) {
  console.error('usage: node provider.mjs --port PORT --redirect-uri URI');
  process.exit(2);
}

const issuer = `http://127.0.0.1:${options.port}`;

// The people the council's directory knows. A leaver is switched off here, not in the
// meeting server: `enabled: false`.
const PEOPLE = {
  alice: { email: 'Alice.Chair@Council.example', email_verified: true, name: 'Alice Chair' },
  bob: { email: 'bob.leaver@council.example', email_verified: true, name: 'Bob Leaver', enabled: false },
  carol: { email: 'carol.nochair@council.example', email_verified: true, name: 'Carol Newstarter' },
  dave: { email: 'dave.unchecked@council.example', email_verified: false, name: 'Dave Unchecked' },
  erin: { email: 'erin.offhere@council.example', email_verified: true, name: 'Erin Offhere' },
};

function enabled(login) {
  const person = PEOPLE[login];
  return person !== undefined && person.enabled !== false;
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: options['client-id'],
      client_secret: options['client-secret'],
      redirect_uris: options['redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  // A confidential client must still send a PKCE challenge: a request without one is refused.
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  cookies: { keys: ['a test provider, not a secret'] },
  features: { devInteractions: { enabled: false } },
  async findAccount(ctx, sub) {
    if (!enabled(sub)) {
      return undefined;
    }
    const { email, email_verified: verified, name } = PEOPLE[sub];
    return {
      accountId: sub,
      async claims() {
        return { sub, email, email_verified: verified, name };
      },
    };
  },
  // The meeting server is the council's own application: consent is given once by the
  // council's administrator, so nobody is asked again at sign-in.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>`
    + `</head><body><h1>${title}</h1>${body}</body></html>`;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
  }
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Not this sign-in.');
    return;
  }
  if (req.method === 'GET') {
    const form = `<form method="post" action="/interaction/${uid}/login">`
      + '<label for="login">Username</label> <input id="login" name="login">'
      + '<button type="submit">Sign in</button></form>';
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(page('Council sign-in', form));
    return;
  }
  if (action !== 'login') {
    res.writeHead(404).end();
    return;
  }
  const login = (await readForm(req)).get('login') ?? '';
  if (PEOPLE[login] === undefined) {
    const again = `<p>No account is called ${escape(login)}.</p>`;
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(page('Council sign-in', again));
    return;
  }
  if (!enabled(login)) {
    // As a directory refuses a switched-off account: the application is told access_denied.
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'This account has been disabled.',
    }, { mergeWithLastSubmission: false });
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: login } }, {
    mergeWithLastSubmission: false,
  });
}

const handle = provider.callback();
const INTERACTION = /^\/interaction\/([\w-]+)(?:\/(\w+))?$/;

const server = http.createServer((req, res) => {
  const found = INTERACTION.exec(new URL(req.url, issuer).pathname);
  if (!found) {
    handle(req, res);
    return;
  }
  interaction(req, res, found[1], found[2]).catch((error) => {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
  });
});

server.listen(Number(options.port), '127.0.0.1', () => {
  console.log(`OpenID provider listening on ${issuer}`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
