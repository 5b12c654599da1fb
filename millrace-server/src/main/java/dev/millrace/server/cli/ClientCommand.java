package dev.millrace.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command that talks to a server. Exit codes: 0 done; 1 no answer or a server error; 2 bad usage or a request
 * the server refused as invalid (400, 413, 415); 3 not found (404); 4 no or a wrong key (401, 403);
 * 5 a conflict with the current state (409, such as an ended job or a duplicate).
 */
abstract class ClientCommand implements Callable<Integer> {
    /** Exit code: the thing asked for does not exist (404). */
    static final int NOT_FOUND = 3;
    /** Exit code: no key, a wrong key, or a key that may not do this (401, 403). */
    static final int UNAUTHORIZED = 4;
    /** Exit code: the request conflicts with the current state (409). */
    static final int CONFLICT = 5;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    /** Does the work with the client; returns the exit code. */
    abstract int run(ApiClient api);

    @Override
    public final Integer call() {
        try {
            return run(options.client());
        } catch (ApiClient.ApiError e) {
            PrintWriter err = spec.commandLine().getErr();
            if (options.json && e.problem != null) {
                out().println(ApiClient.write(e.problem));
                out().flush();
            }
            err.println(spec.qualifiedName() + ": " + e.getMessage());
            err.flush();
            return exitCode(e.status);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        }
    }

    static int exitCode(int status) {
        return switch (status) {
            case 400, 413, 415, 422 -> 2;
            case 404 -> NOT_FOUND;
            case 401, 403 -> UNAUTHORIZED;
            case 409 -> CONFLICT;
            default -> 1;
        };
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints JSON for --json, or the text. */
    void print(JsonNode json, String text) {
        out().print(options.json ? ApiClient.write(json) + "\n" : text);
        out().flush();
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "-" : v.asText();
    }
}
