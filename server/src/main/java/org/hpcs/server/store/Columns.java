package org.hpcs.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import org.hpcs.common.api.Json;

/** Conversions between Java values and the portable column types of the schema. */
final class Columns {
  private static final ObjectMapper JSON = Json.strict();
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

  private Columns() {}

  static void setInstant(PreparedStatement statement, int index, Instant value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value.toEpochMilli());
    }
  }

  static Instant instant(ResultSet row, String column) throws SQLException {
    long millis = row.getLong(column);
    return row.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new StoreException("cannot encode column value as JSON", e);
    }
  }

  static List<String> stringList(ResultSet row, String column) throws SQLException {
    return fromJson(row.getString(column), STRING_LIST);
  }

  static <T> T fromJson(String text, TypeReference<T> type) {
    try {
      return JSON.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new StoreException("corrupt JSON column value", e);
    }
  }
}
