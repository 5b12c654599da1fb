/**
 * The durable event bus: channels with typed fields, {@link dev.millrace.event.Events#publish publish} with one
 * result per event, subscriptions that hand batches to an {@link dev.millrace.event.EventHandler}, and readers
 * that replay a channel from a replay id. Reach it with {@code Millrace.events()}.
 */
package dev.millrace.event;
