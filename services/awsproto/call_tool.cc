// awsproto_call: drives awsproto's clients from the command line, for the end-to-end tests in
// tests/services/test_awsproto_clients.py. Every command prints one JSON object on stdout.
//
//   awsproto_call dynamodb TARGET          body on stdin; JsonClient::dynamodb(the environment)
//   awsproto_call streams TARGET           the same with JsonClient::dynamodb_streams
//     -> {"attempts": N, "result": {...}} | {"attempts": N, "error": {"status", "type",
//        "message", "item", "reasons": [{"code", "message", "item"}]}} |
//        {"attempts": N, "httpError": {"kind", "message"}}
//   awsproto_call connections (--endpoint URL | --event JSON) OP ID [DATA]
//     OP post, get or delete -> {"endpoint", "status": "Ok"|"Gone"|"Error", "httpStatus",
//        "type", "message", "info": {...} for get}
//   awsproto_call connections --endpoint URL post-many ID=DATA...  post_to_connections
//     -> {"endpoint", "results": [{"status", "httpStatus"}]}
//   awsproto_call get URL COUNT [PAUSE_MS]  COUNT GETs of URL's path on one HttpClient
//     -> {"responses": [{"status", "body"} | {"kind", "error"}], "connections": N}
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "awsproto/connections.h"
#include "awsproto/json_client.h"

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

const char* kind_name(awsproto::HttpError::Kind kind) {
  switch (kind) {
    case awsproto::HttpError::Kind::Connect: return "Connect";
    case awsproto::HttpError::Kind::Timeout: return "Timeout";
    case awsproto::HttpError::Kind::Io: return "Io";
    case awsproto::HttpError::Kind::Protocol: return "Protocol";
    case awsproto::HttpError::Kind::Tls: return "Tls";
  }
  return "?";
}

void item(Writer& w, const rapidjson::Document* doc) {
  if (doc) {
    doc->Accept(w);
  } else {
    w.Null();
  }
}

int json_call(bool streams, const std::string& target) {
  std::string body((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  awsproto::Env env = awsproto::Env::from_environment();
  awsproto::JsonClient client =
      streams ? awsproto::JsonClient::dynamodb_streams(env) : awsproto::JsonClient::dynamodb(env);
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  try {
    rapidjson::Document result = client.call(target, body);
    w.Key("attempts");
    w.Int(client.last_attempts());
    w.Key("result");
    result.Accept(w);
  } catch (const awsproto::AwsError& e) {
    w.Key("attempts");
    w.Int(client.last_attempts());
    w.Key("error");
    w.StartObject();
    w.Key("status");
    w.Int(e.status());
    w.Key("type");
    str(w, e.type());
    w.Key("message");
    str(w, e.message());
    w.Key("item");
    item(w, e.item());
    w.Key("reasons");
    w.StartArray();
    for (const auto& r : e.cancellation_reasons()) {
      w.StartObject();
      w.Key("code");
      str(w, r.code);
      w.Key("message");
      str(w, r.message);
      w.Key("item");
      item(w, r.item.get());
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  } catch (const awsproto::HttpError& e) {
    w.Key("attempts");
    w.Int(client.last_attempts());
    w.Key("httpError");
    w.StartObject();
    w.Key("kind");
    w.String(kind_name(e.kind()));
    w.Key("message");
    w.String(e.what());
    w.EndObject();
  }
  w.EndObject();
  std::cout << out.GetString() << "\n";
  return 0;
}

int connections(int argc, char** argv) {
  if (argc < 5) throw std::invalid_argument("connections (--endpoint URL | --event JSON) OP ID");
  awsproto::Env env = awsproto::Env::from_environment();
  std::string how = argv[2], where = argv[3], op = argv[4];
  std::string id = argc > 5 ? argv[5] : "";
  std::string data = argc > 6 ? argv[6] : "";
  std::string endpoint;
  if (how == "--endpoint") {
    endpoint = where;
  } else {
    rapidjson::Document event;
    event.Parse(where.data(), where.size());
    endpoint = awsproto::ConnectionsClient::endpoint_for_event(env, event);
  }
  awsproto::ConnectionsClient client(endpoint, env.region, env.credentials);
  auto status_name = [](const awsproto::ConnectionResult& r) {
    return r.ok() ? "Ok" : r.gone() ? "Gone" : "Error";
  };
  if (op == "post-many") {
    std::vector<std::string> args(argv + 5, argv + argc);
    std::vector<awsproto::ConnectionsClient::Post> posts;
    for (const std::string& a : args) {
      size_t eq = a.find('=');
      if (eq == std::string::npos) throw std::invalid_argument("post-many takes ID=DATA");
      posts.push_back({std::string_view(a).substr(0, eq), std::string_view(a).substr(eq + 1)});
    }
    auto results = client.post_to_connections(posts);
    rapidjson::StringBuffer out;
    Writer w(out);
    w.StartObject();
    w.Key("endpoint");
    str(w, endpoint);
    w.Key("results");
    w.StartArray();
    for (const auto& r : results) {
      w.StartObject();
      w.Key("status");
      w.String(status_name(r));
      w.Key("httpStatus");
      w.Int(r.http_status);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    std::cout << out.GetString() << "\n";
    return 0;
  }
  awsproto::GetConnectionResult result;
  if (op == "post") {
    static_cast<awsproto::ConnectionResult&>(result) = client.post_to_connection(id, data);
  } else if (op == "get") {
    result = client.get_connection(id);
  } else if (op == "delete") {
    static_cast<awsproto::ConnectionResult&>(result) = client.delete_connection(id);
  } else {
    throw std::invalid_argument("OP is post, get or delete");
  }
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("endpoint");
  str(w, endpoint);
  w.Key("status");
  w.String(status_name(result));
  w.Key("httpStatus");
  w.Int(result.http_status);
  w.Key("type");
  str(w, result.error_type);
  w.Key("message");
  str(w, result.message);
  if (op == "get") {
    w.Key("info");
    w.StartObject();
    w.Key("connectedAt");
    str(w, result.info.connected_at);
    w.Key("lastActiveAt");
    str(w, result.info.last_active_at);
    w.Key("sourceIp");
    str(w, result.info.source_ip);
    w.Key("userAgent");
    str(w, result.info.user_agent);
    w.EndObject();
  }
  w.EndObject();
  std::cout << out.GetString() << "\n";
  return 0;
}

int get(int argc, char** argv) {
  if (argc < 4) throw std::invalid_argument("get URL COUNT [PAUSE_MS]");
  std::string url = argv[2];
  int count = std::stoi(argv[3]);
  int pause = argc > 4 ? std::stoi(argv[4]) : 0;
  std::string path = awsproto::parse_endpoint(url).join_path("/");
  rapidjson::StringBuffer out;
  Writer w(out);
  w.StartObject();
  w.Key("responses");
  w.StartArray();
  awsproto::HttpClient client(url);
  for (int i = 0; i < count; ++i) {
    if (i && pause) std::this_thread::sleep_for(std::chrono::milliseconds(pause));
    awsproto::Request request;
    request.path = path;
    w.StartObject();
    try {
      awsproto::Response r = client.request(request);
      w.Key("status");
      w.Int(r.status);
      w.Key("body");
      str(w, r.body);
    } catch (const awsproto::HttpError& e) {
      w.Key("kind");
      w.String(kind_name(e.kind()));
      w.Key("error");
      w.String(e.what());
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("connections");
  w.Int(client.connections_opened());
  w.EndObject();
  std::cout << out.GetString() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string command = argc > 1 ? argv[1] : "";
    if ((command == "dynamodb" || command == "streams") && argc == 3) {
      return json_call(command == "streams", argv[2]);
    }
    if (command == "connections") return connections(argc, argv);
    if (command == "get") return get(argc, argv);
    std::cerr << "usage: awsproto_call dynamodb|streams TARGET < body\n"
                 "       awsproto_call connections (--endpoint URL | --event JSON) OP ID [DATA]\n"
                 "       awsproto_call get URL COUNT [PAUSE_MS]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "awsproto_call: " << e.what() << "\n";
    return 1;
  }
}
