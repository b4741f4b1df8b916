// The OpenAPI document describes the API keys as what they are: opaque bearer tokens
// (or an X-API-Key header), not JWTs, so that generated clients do not try to decode them.
import { ApiTestApp, startApiTestApp } from './support/api-test-app';

describe('the OpenAPI security schemes', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('declares a bearer scheme without a JWT bearerFormat, and the X-API-Key header', async () => {
    const doc = await api.http.get('/docs-json').expect(200);
    const schemes = doc.body.components.securitySchemes as Record<string, Record<string, unknown>>;
    expect(schemes.bearer).toEqual({ type: 'http', scheme: 'bearer', description: expect.stringMatching(/API key/) });
    expect(schemes.bearer).not.toHaveProperty('bearerFormat');
    expect(schemes['api-key']).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });
});
