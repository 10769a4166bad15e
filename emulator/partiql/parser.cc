// The statement lexer and recursive-descent parser of DynamoDB's PartiQL dialect.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.statements.html
// The details after "Statement wasn't well formed, can't be processed: " are DynamoDB's
// ("Unexpected token after expression", "Unexpected term", "Unexpected keyword", ...).
#include "partiql/parser.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "model/error.h"
#include "partiql/lexer.h"

namespace ddb::partiql {

const char* kind_name(Statement::Kind k) {
  switch (k) {
    case Statement::Kind::Select: return "SELECT";
    case Statement::Kind::Insert: return "INSERT";
    case Statement::Kind::Update: return "UPDATE";
    case Statement::Kind::Delete: return "DELETE";
    case Statement::Kind::Exists: return "EXISTS";
  }
  return "?";
}

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), toks_(lex(text)) {}

  Statement statement() {
    const Token& t = peek();
    if (word("SELECT")) {
      select(false);
    } else if (word("INSERT")) {
      insert();
    } else if (word("UPDATE")) {
      update();
    } else if (word("DELETE")) {
      remove();
    } else if (word("FROM")) {
      from_first_update();
    } else if (word("EXISTS")) {
      expect_punct("(", "Expected left parenthesis");
      if (!word("SELECT")) malformed("Expected SELECT");
      select(true);
      expect_punct(")", "Expected right parenthesis");
    } else if (t.kind == Token::Kind::End) {
      malformed("Unexpected term");
    } else if ((t.kind == Token::Kind::Word || t.kind == Token::Kind::Quoted) && is_word("IS", 1)) {
      // A bare `x IS INT4`: an expression, not a statement, which DynamoDB names by its kind
      // (paritysuite/dynamodb-conformance, tests/tier3/error-messages/partiqlGrammar.test.ts).
      unsupported("IsType");
    } else {
      malformed("Expected data manipulation");
    }
    punct(";");
    if (peek().kind != Token::Kind::End) malformed("Unexpected token after expression");
    st_.parameter_count = parameters_;
    // UPDATE and DELETE take an index in their grammar and refuse it once parsed (INSERT's
    // grammar has no room for one); as AWS answers them (nubo-db/dynamodb-conformance,
    // tests/tier2/partiql/indexQualifier.test.ts).
    if (st_.target.index &&
        (st_.kind == Statement::Kind::Update || st_.kind == Statement::Kind::Delete))
      invalid("This operation is not supported on an index");
    return std::move(st_);
  }

 private:
  std::string_view text_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  Statement st_;
  size_t parameters_ = 0;
  int depth_ = 0;

  struct Deeper {
    explicit Deeper(int& d) : d_(d) {
      if (++d_ > kMaxDepth) malformed("Statement is nested too deeply");
    }
    ~Deeper() { --d_; }
    int& d_;
  };

  const Token& peek(size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  bool is_word(std::string_view upper, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Word && peek(ahead).upper == upper;
  }
  bool word(std::string_view upper) {
    if (!is_word(upper)) return false;
    ++pos_;
    return true;
  }
  bool is_punct(std::string_view p, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Punct && peek(ahead).text == p;
  }
  bool punct(std::string_view p) {
    if (!is_punct(p)) return false;
    ++pos_;
    return true;
  }
  void expect_punct(std::string_view p, std::string_view detail) {
    if (!punct(p)) malformed(detail);
  }
  void expect_word(std::string_view upper, std::string_view detail) {
    if (!word(upper)) malformed(detail);
  }

  // Why a term cannot start at the current token.
  [[noreturn]] void no_term() const {
    const Token& t = peek();
    static constexpr std::string_view kOperators[] = {"IS", "LIKE", "AND", "OR", "BETWEEN", "IN"};
    if (t.kind == Token::Kind::Word &&
        std::find(std::begin(kOperators), std::end(kOperators), t.upper) != std::end(kOperators))
      malformed("Unexpected operator");
    if (t.kind == Token::Kind::Word && is_keyword(t.upper)) malformed("Unexpected keyword");
    if (t.kind == Token::Kind::Punct && t.text != "(" && t.text != "[" && t.text != "{" &&
        t.text != "<<" && t.text != ";" && t.text != ")")
      malformed("Unexpected operator");
    malformed("Unexpected term");
  }

  // An identifier: a bare word that is not a keyword, or a "quoted" one.
  std::optional<std::string> identifier() {
    const Token& t = peek();
    if (t.kind == Token::Kind::Quoted || (t.kind == Token::Kind::Word && !is_keyword(t.upper))) {
      ++pos_;
      return t.text;
    }
    return std::nullopt;
  }

  // FROM's "table" or "table"."index", and no alias.
  Target target(bool alias_allowed_check = true) {
    auto table = identifier();
    if (!table) {
      if (peek().kind == Token::Kind::End || is_punct(";") || is_word("WHERE"))
        malformed("Expected identifier for simple path");
      no_term();
    }
    Target t{*table, std::nullopt};
    if (is_punct(".")) {
      ++pos_;
      auto index = identifier();
      if (!index) malformed("Expected identifier for simple path");
      t.index = *index;
      // DynamoDB's answers to "t"."i"."x" and to an empty "" component, before it looks the
      // table up.
      if (is_punct(".")) invalid("A path may contain at most 2 components in the FROM clause");
    }
    if (t.table.empty() || (t.index && t.index->empty()))
      invalid("Path component cannot be an empty string");
    if (is_punct("[")) unsupported("Path expression in FROM");
    if (alias_allowed_check) {
      if (is_word("AS") || (peek().kind == Token::Kind::Quoted) ||
          (peek().kind == Token::Kind::Word && !is_keyword(peek().upper)))
        invalid("Aliasing is not supported");
      if (is_punct(",") || is_word("JOIN") || is_word("CROSS") || is_word("INNER") ||
          is_word("LEFT") || is_word("RIGHT") || is_word("FULL"))
        unsupported("Join");
    }
    return t;
  }

  // a.b[1]."c d"
  expr::Path path_after(std::string first) {
    expr::Path p;
    p.push_back(expr::Step{std::move(first)});
    while (true) {
      if (punct(".")) {
        auto name = identifier();
        if (!name) {
          if (is_punct("*")) unsupported("Wildcard path");
          // A keyword after the dot (m.inner): DynamoDB's detail for it.
          if (peek().kind == Token::Kind::Word) malformed("Invalid path dot component");
          malformed("Invalid path component");
        }
        p.push_back(expr::Step{*name});
      } else if (punct("[")) {
        const Token& t = peek();
        if (t.kind == Token::Kind::Number &&
            t.text.find_first_not_of("0123456789") == std::string::npos) {
          if (t.text.size() > 9) malformed("Invalid path component");
          expr::Step s;
          s.index = std::stoll(t.text);
          p.push_back(s);
          ++pos_;
        } else if (t.kind == Token::Kind::String) {
          p.push_back(expr::Step{t.text});
          ++pos_;
        } else {
          malformed("Invalid path component");
        }
        expect_punct("]", "Expected right bracket");
      } else {
        break;
      }
      if (p.size() > 32) malformed("Path is nested too deeply");
    }
    return p;
  }

  std::optional<expr::Path> maybe_path() {
    auto first = identifier();
    if (!first) return std::nullopt;
    return path_after(std::move(*first));
  }

  expr::Path path() {
    auto p = maybe_path();
    if (!p) no_term();
    return std::move(*p);
  }

  // ---- literals ----

  bool starts_literal() const {
    const Token& t = peek();
    if (t.kind == Token::Kind::String || t.kind == Token::Kind::Number) return true;
    if (t.kind == Token::Kind::Punct)
      return t.text == "[" || t.text == "{" || t.text == "<<" || t.text == "?" ||
             (t.text == "-" && peek(1).kind == Token::Kind::Number) ||
             (t.text == "+" && peek(1).kind == Token::Kind::Number);
    if (t.kind == Token::Kind::Word)
      return t.upper == "TRUE" || t.upper == "FALSE" || t.upper == "NULL" || t.upper == "MISSING";
    return false;
  }

  Literal literal() {
    Deeper d(depth_);
    const Token& t = peek();
    Literal l;
    if (t.kind == Token::Kind::String) {
      l.value = model::Value::string(t.text);
      ++pos_;
    } else if (t.kind == Token::Kind::Number) {
      l.value.type = model::Type::N;
      l.value.scalar = t.text;  // checked when bound (DynamoDB's number rules)
      ++pos_;
    } else if (is_punct("-") || is_punct("+")) {
      bool minus = t.text == "-";
      ++pos_;
      l.value.type = model::Type::N;
      l.value.scalar = (minus ? "-" : "") + peek().text;
      ++pos_;
    } else if (punct("?")) {
      l.kind = Literal::Kind::Parameter;
      l.parameter = parameters_++;
    } else if (word("TRUE") || word("FALSE")) {
      l.value.type = model::Type::BOOL;
      l.value.boolean = toks_[pos_ - 1].upper == "TRUE";
    } else if (word("NULL")) {
      l.value.type = model::Type::NUL;
      l.value.boolean = true;
    } else if (word("MISSING")) {
      l.kind = Literal::Kind::Missing;
    } else if (punct("[")) {
      l.kind = Literal::Kind::List;
      if (!punct("]")) {
        do {
          if (!starts_literal()) no_term();
          l.elements.push_back(literal());
        } while (punct(","));
        expect_punct("]", "Expected right bracket");
      }
    } else if (punct("<<")) {
      l.kind = Literal::Kind::Set;
      if (!punct(">>")) {
        do {
          if (!starts_literal()) no_term();
          l.elements.push_back(literal());
        } while (punct(","));
        expect_punct(">>", "Expected right angle brackets");
      }
    } else if (punct("{")) {
      l.kind = Literal::Kind::Map;
      if (!punct("}")) {
        do {
          const Token& k = peek();
          if (k.kind != Token::Kind::String) malformed("Expected a string key in a struct");
          std::string key = k.text;
          ++pos_;
          expect_punct(":", "Expected colon");
          if (const Token& v = peek();
              v.kind == Token::Kind::Word && is_punct("(", 1) && !is_keyword(v.upper))
            invalid("Unsupported data type: " + lower(v.upper) + " under key root" + at(v));
          if (!starts_literal()) no_term();
          l.keys.push_back(std::move(key));
          l.elements.push_back(literal());
        } while (punct(","));
        expect_punct("}", "Expected right curly brace");
      }
    } else {
      no_term();
    }
    return l;
  }

  expr::Node literal_ref(Literal l) {
    expr::Node n{expr::Node::Kind::ValueRef};
    n.name = std::to_string(st_.literals.size());
    st_.literals.push_back(std::move(l));
    return n;
  }

  // ---- conditions ----

  expr::Node condition() {
    Deeper d(depth_);
    expr::Node left = conjunction();
    while (word("OR")) {
      if (peek().kind == Token::Kind::End || is_punct(";"))
        malformed("Missing right-hand side expression of infix operator");
      expr::Node n{expr::Node::Kind::Or};
      n.kids.push_back(std::move(left));
      n.kids.push_back(conjunction());
      left = std::move(n);
    }
    return left;
  }

  expr::Node conjunction() {
    expr::Node left = negation();
    while (word("AND")) {
      if (peek().kind == Token::Kind::End || is_punct(";"))
        malformed("Missing right-hand side expression of infix operator");
      expr::Node n{expr::Node::Kind::And};
      n.kids.push_back(std::move(left));
      n.kids.push_back(negation());
      left = std::move(n);
    }
    return left;
  }

  expr::Node negation() {
    Deeper d(depth_);
    if (word("NOT")) {
      expr::Node n{expr::Node::Kind::Not};
      n.kids.push_back(negation());
      return n;
    }
    return predicate();
  }

  static expr::Node call(expr::Func f, std::vector<expr::Node> kids) {
    expr::Node n{expr::Node::Kind::Call};
    n.func = f;
    n.kids = std::move(kids);
    return n;
  }

  // A function that tests something, compared with true or false (`attribute_exists(a) =
  // true`, as DynamoDB runs it: paritysuite/dynamodb-conformance,
  // tests/tier2/partiql/whereFunctions.test.ts): the test itself, or its negation.
  expr::Node truth_test(expr::Node n) {
    if (n.op != expr::Op::Eq && n.op != expr::Op::Ne) return n;
    auto is_test = [](const expr::Node& k) {
      return k.kind == expr::Node::Kind::Call &&
             (k.func == expr::Func::AttributeExists || k.func == expr::Func::AttributeNotExists ||
              k.func == expr::Func::BeginsWith || k.func == expr::Func::Contains ||
              k.func == expr::Func::AttributeType);
    };
    auto truth = [&](const expr::Node& k) -> std::optional<bool> {
      if (k.kind != expr::Node::Kind::ValueRef) return std::nullopt;
      const Literal& l = st_.literals.at(std::stoul(k.name));
      if (l.kind != Literal::Kind::Value || l.value.type != model::Type::BOOL) return std::nullopt;
      return l.value.boolean;
    };
    for (int side = 0; side < 2; ++side) {
      auto b = truth(n.kids[1 - side]);
      if (!is_test(n.kids[side]) || !b) continue;
      expr::Node test = std::move(n.kids[side]);
      if (*b == (n.op == expr::Op::Eq)) return test;
      expr::Node x{expr::Node::Kind::Not};
      x.kids.push_back(std::move(test));
      return x;
    }
    return n;
  }

  expr::Node predicate() {
    expr::Node left = operand();
    static constexpr std::pair<std::string_view, expr::Op> kOps[] = {
        {"=", expr::Op::Eq},  {"<>", expr::Op::Ne}, {"!=", expr::Op::Ne}, {"<", expr::Op::Lt},
        {"<=", expr::Op::Le}, {">", expr::Op::Gt},  {">=", expr::Op::Ge}};
    for (const auto& [text, op] : kOps) {
      if (punct(text)) {
        expr::Node n{expr::Node::Kind::Compare};
        n.op = op;
        n.kids.push_back(std::move(left));
        n.kids.push_back(operand());
        return truth_test(std::move(n));
      }
    }
    bool negated = false;
    if (is_word("NOT") && (is_word("BETWEEN", 1) || is_word("IN", 1) || is_word("LIKE", 1))) {
      ++pos_;
      negated = true;
    }
    auto wrap = [&](expr::Node n) {
      if (!negated) return n;
      expr::Node x{expr::Node::Kind::Not};
      x.kids.push_back(std::move(n));
      return x;
    };
    if (word("BETWEEN")) {
      expr::Node n{expr::Node::Kind::Between};
      n.kids.push_back(std::move(left));
      n.kids.push_back(operand());
      expect_word("AND", "Expected AND");
      n.kids.push_back(operand());
      return wrap(std::move(n));
    }
    if (word("IN")) {
      expr::Node n{expr::Node::Kind::In};
      n.kids.push_back(std::move(left));
      bool bracket = punct("[");
      if (!bracket) expect_punct("(", "Expected left parenthesis");
      if (is_word("SELECT")) unsupported("Subquery");
      do {
        n.kids.push_back(operand());
      } while (punct(","));
      expect_punct(bracket ? "]" : ")",
                   bracket ? "Expected right bracket" : "Expected right parenthesis");
      if (n.kids.size() > 101) invalid("The IN list may contain at most 100 values");
      return wrap(std::move(n));
    }
    if (word("LIKE")) unsupported("LIKE");
    if (word("IS")) {
      bool is_not = word("NOT");
      expr::Node n;
      if (word("MISSING")) {
        if (left.kind != expr::Node::Kind::Path) unsupported("IS MISSING on an expression");
        n = call(is_not ? expr::Func::AttributeExists : expr::Func::AttributeNotExists,
                 {std::move(left)});
        return n;
      }
      if (word("NULL")) {
        if (left.kind != expr::Node::Kind::Path) unsupported("IS NULL on an expression");
        expr::Node type{expr::Node::Kind::Literal};
        type.value = model::Value::string("NULL");
        n = call(expr::Func::AttributeType, {std::move(left), std::move(type)});
        if (!is_not) return n;
        expr::Node x{expr::Node::Kind::Not};
        x.kids.push_back(std::move(n));
        return x;
      }
      const Token& t = peek();
      if (auto tested = t.kind == Token::Kind::Word ? tested_type(t.upper) : std::nullopt) {
        ++pos_;
        if (left.kind != expr::Node::Kind::Path) unsupported("IS on an expression");
        expr::Node type{expr::Node::Kind::Literal};
        type.value = model::Value::string(std::string(*tested));
        n = call(expr::Func::AttributeType, {std::move(left), std::move(type)});
        if (!is_not) return n;
        expr::Node x{expr::Node::Kind::Not};
        x.kids.push_back(std::move(n));
        return x;
      }
      if (t.kind == Token::Kind::Word && is_type_name(t.upper))
        invalid("Unsupported data type for IS operator: " + t.upper +
                ". Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, "
                "STRUCT, TUPLE, LIST]");
      if (t.kind == Token::Kind::End || is_punct(";")) malformed("Unexpected term");
      malformed("Expected type name");
    }
    return left;
  }

  // A term of a condition or of a SET value: a path, a literal, a parameter, a function call,
  // a parenthesised condition.
  expr::Node operand() {
    Deeper d(depth_);
    const Token& t = peek();
    if (t.kind == Token::Kind::End || is_punct(";")) malformed("Unexpected term");
    if (punct("(")) {
      if (is_word("SELECT")) unsupported("Subquery");
      expr::Node n = condition();
      expect_punct(")", "Expected right parenthesis");
      return n;
    }
    if (starts_literal()) return literal_ref(literal());
    if (t.kind == Token::Kind::Word && is_punct("(", 1) && !is_keyword(t.upper)) {
      pos_ += 2;
      return function(t);
    }
    // EXISTS(SELECT ...) is a statement of ExecuteTransaction; in a condition it is no function.
    if (is_word("EXISTS")) invalid("Unrecognized function: exists" + at(t));
    auto p = maybe_path();
    if (!p) no_term();
    expr::Node n{expr::Node::Kind::Path};
    n.path = std::move(*p);
    return n;
  }

  std::vector<expr::Node> arguments() {
    std::vector<expr::Node> args;
    if (!punct(")")) {
      do {
        args.push_back(operand());
      } while (punct(","));
      expect_punct(")", "Expected right parenthesis");
    }
    return args;
  }

  // A function of a condition, its name token `fn` and "(" read. DynamoDB's messages for the
  // operands are its condition expressions' (without their "Invalid ConditionExpression: ").
  expr::Node function(const Token& fn) {
    const std::string& name = fn.upper;
    static constexpr std::pair<std::string_view, expr::Func> kFuncs[] = {
        {"BEGINS_WITH", expr::Func::BeginsWith},
        {"CONTAINS", expr::Func::Contains},
        {"ATTRIBUTE_TYPE", expr::Func::AttributeType},
        {"SIZE", expr::Func::Size},
        // Not among the functions the reference lists, but DynamoDB accepts them as in its
        // condition expressions.
        {"ATTRIBUTE_EXISTS", expr::Func::AttributeExists},
        {"ATTRIBUTE_NOT_EXISTS", expr::Func::AttributeNotExists},
    };
    if (is_aggregate(name)) unsupported("Aggregation");
    for (const auto& [fname, f] : kFuncs) {
      if (name != fname) continue;
      std::vector<expr::Node> args = arguments();
      size_t want = f == expr::Func::Size || f == expr::Func::AttributeExists ||
                            f == expr::Func::AttributeNotExists
                        ? 1
                        : 2;
      if (args.size() != want)
        invalid("Incorrect number of operands for operator or function; operator or function: " +
                lower(name) + ", number of operands: " + std::to_string(args.size()));
      if (args[0].kind != expr::Node::Kind::Path) {
        if (f == expr::Func::AttributeExists || f == expr::Func::AttributeNotExists ||
            f == expr::Func::AttributeType)
          invalid("Operator or function requires a document path; operator or function: " +
                  lower(name));
        invalid("The first argument of " + lower(name) + " must be a document path");
      }
      return call(f, std::move(args));
    }
    // set_add, list_append and the like are SET's, not a condition's.
    invalid("Unrecognized function: " + lower(name) + at(fn));
  }

  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  // " at <line>:<column>:<length>" of a token, as DynamoDB ends some of its messages.
  std::string at(const Token& t) const { return " at " + position(text_, t); }

  // ---- statements ----

  void where_clause(bool required_for_missing_message) {
    (void)required_for_missing_message;
    if (!word("WHERE")) return;
    st_.where = condition();
  }

  void select(bool exists) {
    st_.kind = exists ? Statement::Kind::Exists : Statement::Kind::Select;
    if (word("DISTINCT")) unsupported("DISTINCT");
    if (word("VALUE")) unsupported("SELECT VALUE");
    constexpr const char* kStarAndOthers =
        "Other attributes should not be present in the projection when '*' is used.";
    if (punct("*")) {
      if (is_punct(",")) invalid(kStarAndOthers);
    } else {
      do {
        if (is_punct("*")) invalid(kStarAndOthers);
        const Token& t = peek();
        if (t.kind == Token::Kind::Word && is_punct("(", 1) && !is_keyword(t.upper)) {
          if (is_aggregate(t.upper)) unsupported("Aggregation");
          invalid("Unexpected path component" + at(t));
        }
        if (t.kind == Token::Kind::End || is_word("FROM")) malformed("Unexpected term");
        st_.projection.push_back(path());
        if (word("AS")) invalid("Aliasing is not supported");
      } while (punct(","));
    }
    if (!word("FROM")) {
      if (peek().kind == Token::Kind::End) malformed("Unexpected term");
      malformed("Unexpected token after expression");
    }
    if (peek().kind == Token::Kind::End || is_punct(";")) malformed("Unexpected term");
    st_.target = target();
    where_clause(false);
    if (is_word("GROUP") || is_word("HAVING")) unsupported("Aggregation");
    if (exists) return;
    if (word("ORDER")) {
      expect_word("BY", "Expected BY");
      st_.order_by = path();
      if (word("DESC"))
        st_.descending = true;
      else
        word("ASC");
      if (is_punct(",")) unsupported("ORDER BY on more than one attribute");
    }
    if (is_word("LIMIT") || is_word("OFFSET")) unsupported("LIMIT and OFFSET");
  }

  void insert() {
    st_.kind = Statement::Kind::Insert;
    expect_word("INTO", "Expected INTO");
    // "t"."i": INSERT's target is a table name only, refused before the index is looked at.
    if (is_punct(".", 1)) invalid("FROM clause may only contain a single table name");
    st_.target = target(false);
    if (is_word("VALUES")) unsupported("INSERT with VALUES; use INSERT INTO table VALUE {...}");
    if (!word("VALUE")) malformed("Unexpected token after expression");
    if (!is_punct("{") && !is_punct("?")) {
      if (!starts_literal()) no_term();
      malformed("Expected a tuple in VALUE");
    }
    st_.value = literal();
    if (is_word("RETURNING")) invalid("RETURNING is not supported in INSERT");
  }

  void returning() {
    if (!word("RETURNING")) return;
    bool all = word("ALL");
    if (!all && !word("MODIFIED")) malformed("Expected ALL or MODIFIED");
    bool old = word("OLD");
    if (!old && !word("NEW")) malformed("Expected OLD or NEW");
    expect_punct("*", "Expected *");
    st_.returning = all ? (old ? Returning::AllOld : Returning::AllNew)
                        : (old ? Returning::ModifiedOld : Returning::ModifiedNew);
  }

  // The value of SET path = ...: a term, or two joined by + or -.
  expr::Node set_value(const expr::Path& target, expr::UpdateAction::Kind& kind) {
    const Token& t = peek();
    if (t.kind == Token::Kind::Word && is_punct("(", 1) && !is_keyword(t.upper)) {
      const std::string& name = t.upper;
      if (name == "SET_ADD" || name == "SET_DELETE") {
        pos_ += 2;
        const Token& first = peek();
        std::vector<expr::Node> args = arguments();
        // DynamoDB's words, the function named in capitals (nubo-db/dynamodb-conformance,
        // tests/tier3/error-messages/partiqlFunctions.test.ts records them).
        if (args.size() != 2) invalid(name + " must have exactly two arguments" + at(t));
        if (args[0].kind != expr::Node::Kind::Path || args[0].path != target)
          invalid("The first argument to " + name + " must equal the assignment value" + at(t));
        Literal::Kind value = args[1].kind == expr::Node::Kind::ValueRef
                                  ? st_.literals.at(std::stoul(args[1].name)).kind
                                  : Literal::Kind::Value;
        if (value != Literal::Kind::Set && value != Literal::Kind::Parameter)
          invalid("The second argument to " + name + " must be a value with type SET" + at(first));
        kind = name == "SET_ADD" ? expr::UpdateAction::Kind::Add : expr::UpdateAction::Kind::Delete;
        return std::move(args[1]);
      }
    }
    expr::Node left = set_term();
    if (is_punct("+") || is_punct("-")) {
      expr::Node n{is_punct("+") ? expr::Node::Kind::Plus : expr::Node::Kind::Minus};
      ++pos_;
      n.kids.push_back(std::move(left));
      n.kids.push_back(set_term());
      return n;
    }
    return left;
  }

  expr::Node set_term() {
    Deeper d(depth_);
    const Token& t = peek();
    if (t.kind == Token::Kind::End || is_punct(";")) malformed("Unexpected term");
    if (t.kind == Token::Kind::Word && is_punct("(", 1) && !is_keyword(t.upper)) {
      std::string name = t.upper;
      pos_ += 2;
      expr::Func f;
      if (name == "LIST_APPEND")
        f = expr::Func::ListAppend;
      else if (name == "IF_NOT_EXISTS")
        f = expr::Func::IfNotExists;
      else
        unsupported("Function " + lower(name) + " in SET");
      std::vector<expr::Node> args;
      if (!punct(")")) {
        do {
          args.push_back(set_term());
        } while (punct(","));
        expect_punct(")", "Expected right parenthesis");
      }
      if (args.size() != 2) invalid("Incorrect number of arguments for function " + lower(name));
      if (f == expr::Func::IfNotExists && args[0].kind != expr::Node::Kind::Path)
        invalid("The first argument of if_not_exists must be a document path");
      return call(f, std::move(args));
    }
    if (punct("(")) {
      expr::Node n = set_term();
      expect_punct(")", "Expected right parenthesis");
      return n;
    }
    if (starts_literal()) return literal_ref(literal());
    expr::Node n{expr::Node::Kind::Path};
    n.path = path();
    return n;
  }

  void update() {
    st_.kind = Statement::Kind::Update;
    st_.target = target();
    set_and_remove();
    where_clause(true);
    returning();
  }

  // FROM "t" WHERE ... SET ... REMOVE ...: UPDATE with its clauses in another order, which
  // DynamoDB runs as UPDATE (paritysuite/dynamodb-conformance,
  // tests/tier2/partiql/fromFirstUpdate.test.ts).
  void from_first_update() {
    st_.kind = Statement::Kind::Update;
    st_.target = target();
    where_clause(true);
    set_and_remove();
    returning();
  }

  // UPDATE's SET and REMOVE clauses, at least one, in any order and number.
  void set_and_remove() {
    bool any = false;
    while (true) {
      if (word("SET")) {
        do {
          expr::UpdateAction a{expr::UpdateAction::Kind::Set};
          a.path = path();
          expect_punct("=", "Expected equals sign");
          a.value = set_value(a.path, a.kind);
          st_.update.actions.push_back(std::move(a));
        } while (punct(","));
        any = true;
      } else if (word("REMOVE")) {
        do {
          expr::UpdateAction a{expr::UpdateAction::Kind::Remove};
          a.path = path();
          st_.update.actions.push_back(std::move(a));
        } while (punct(","));
        any = true;
      } else {
        break;
      }
    }
    if (!any) {
      if (peek().kind == Token::Kind::End) malformed("Unexpected term");
      malformed("Expected SET or REMOVE");
    }
  }

  void remove() {
    st_.kind = Statement::Kind::Delete;
    if (!word("FROM")) {
      if (peek().kind == Token::Kind::End) malformed("Unexpected term");
      malformed("Expected FROM");
    }
    st_.target = target();
    where_clause(true);
    returning();
  }
};

class Cache {
 public:
  std::shared_ptr<const Statement> get(std::string_view text) {
    {
      std::lock_guard lock(mu_);
      if (auto it = map_.find(text); it != map_.end()) return it->second;
    }
    auto parsed = std::make_shared<const Statement>(Parser(text).statement());
    std::lock_guard lock(mu_);
    if (map_.size() >= 4096) map_.clear();
    map_.emplace(std::string(text), parsed);
    return parsed;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Statement>, std::less<>> map_;
};

}  // namespace

std::shared_ptr<const Statement> parse(std::string_view text) {
  static Cache cache;
  return cache.get(text);
}

}  // namespace ddb::partiql
