/**
 * API keys of tenants, with which clients of the server's REST API authenticate: issue one (its secret is shown
 * once, in an {@link dev.millrace.apikey.IssuedApiKey}), list, revoke and authenticate them with
 * {@link dev.millrace.apikey.ApiKeys}, reached with {@code Millrace.apiKeys()}. Only the hash of a secret is stored.
 */
package dev.millrace.apikey;
