package dev.millrace.examples.demo;

/**
 * One line of a tenant's ledger that the nightly reconciliation matches against its settlements.
 *
 * @param id the entry's id, e.g. {@code L-000417}
 * @param account the account it books to
 * @param amountCents the amount in cents
 * @param matched whether a settlement matches it (an unmatched entry fails its chunk)
 */
public record LedgerEntry(String id, String account, long amountCents, boolean matched) {
}
