package dev.maas.serving;

import dev.maas.errors.InvalidException;
import java.io.ByteArrayOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * Streaming JSON for the prediction endpoints: bodies are read token by token straight into arrays
 * of numbers, and answers written the same way, with no tree in between.
 */
final class JsonBody {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonBody() {}

  static JsonParser parser(byte[] body) {
    return FACTORY.createParser(ObjectReadContext.empty(), body);
  }

  static JsonGenerator generator(ByteArrayOutputStream out) {
    return FACTORY.createGenerator(ObjectWriteContext.empty(), out);
  }

  /**
   * The one rule of both prediction bodies for a field given twice in the same object: refused,
   * never "the last one wins".
   *
   * @param seen the fields of this object read so far; {@code field} is added
   * @param path the field as the message names it, e.g. {@code 'inputs'} or {@code inputs[0].data}
   */
  static void once(java.util.Set<String> seen, String field, String path) {
    if (!seen.add(field)) {
      throw new InvalidException(path + " is given twice");
    }
  }

  /** The next token; malformed JSON is an InvalidException that says where. */
  static JsonToken next(JsonParser p) {
    try {
      return p.nextToken();
    } catch (JacksonException e) {
      throw malformed(e);
    }
  }

  /** Skips the value the parser is at (and its children); malformed JSON is an InvalidException. */
  static void skip(JsonParser p) {
    try {
      p.skipChildren();
    } catch (JacksonException e) {
      throw malformed(e);
    }
  }

  /** The finite number at the parser's token, or an InvalidException naming {@code path}. */
  static double number(JsonParser p, JsonToken t, String path) {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new InvalidException(path + " must be a number, was " + kind(t));
    }
    double value;
    try {
      value = p.getDoubleValue();
    } catch (JacksonException e) {
      throw malformed(e);
    }
    if (!Double.isFinite(value)) {
      throw new InvalidException(path + " is not a finite number");
    }
    return value;
  }

  /** The string at the parser's token, or an InvalidException naming {@code path}. */
  static String string(JsonParser p, JsonToken t, String path) {
    if (t != JsonToken.VALUE_STRING) {
      throw new InvalidException(path + " must be a string, was " + kind(t));
    }
    return p.getString();
  }

  /** After the body's closing brace only whitespace may follow. */
  static void end(JsonParser p) {
    if (next(p) != null) {
      throw new InvalidException("the request body has content after its JSON object");
    }
  }

  static String kind(JsonToken t) {
    if (t == null) {
      return "missing";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.toString();
    }
  }

  static InvalidException malformed(JacksonException e) {
    StringBuilder detail = new StringBuilder("the request body is not valid JSON");
    TokenStreamLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      detail.append(" at line ").append(at.getLineNr()).append(", column ");
      detail.append(at.getColumnNr());
    }
    String why = e.getOriginalMessage();
    if (why != null && !why.isBlank()) {
      int nl = why.indexOf('\n');
      detail.append(": ").append(nl < 0 ? why : why.substring(0, nl));
    }
    return new InvalidException(detail.toString());
  }
}
