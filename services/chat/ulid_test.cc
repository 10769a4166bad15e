#include "chat/ulid.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace chat {
namespace {

TEST(Ulid, TextIsTwentySixCrockfordCharactersWithTheTimeFirst) {
  UlidGenerator g;
  std::string id = g.next(1764590400000);
  ASSERT_EQ(id.size(), 26u);
  EXPECT_EQ(id.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos);
  EXPECT_EQ(ulid_time_ms(id), 1764590400000);
  // 1764590400000 ms is 01KBCWHCG0 in base32 (ten characters of 5 bits hold the 48 bits).
  EXPECT_EQ(id.substr(0, 10), "01KBCWHCG0");
}

TEST(Ulid, ParsesAndWritesTheSameNumber) {
  auto u = Ulid::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->text(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  // 01ARZ3NDEK (the spec's example) is 1469922850259 ms: 2016-07-30T23:54:10.259Z.
  EXPECT_EQ(u->time_ms(), 1469922850259);
  auto max = Ulid::parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->hi, ~uint64_t{0});
  EXPECT_EQ(max->lo, ~uint64_t{0});
  EXPECT_EQ(max->time_ms(), kUlidMaxTimeMs);
}

TEST(Ulid, RefusesAnythingButTheCanonicalForm) {
  EXPECT_FALSE(is_ulid(""));
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FA"));    // 25
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAVX"));  // 27
  EXPECT_FALSE(is_ulid("01arz3ndektsv4rrffq69g5fav"));   // lower case
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAI"));   // I is not in the alphabet
  EXPECT_FALSE(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAU"));
  EXPECT_FALSE(is_ulid("80000000000000000000000000"));  // 131 bits
  EXPECT_FALSE(ulid_time_ms("not a ulid"));
}

TEST(Ulid, SameMillisecondIsThePreviousPlusOne) {
  UlidGenerator g;
  auto a = *Ulid::parse(g.next(1000));
  auto b = *Ulid::parse(g.next(1000));
  EXPECT_EQ(b.time_ms(), 1000);
  EXPECT_EQ(b.hi, a.lo == ~uint64_t{0} ? a.hi + 1 : a.hi);
  EXPECT_EQ(b.lo, a.lo + 1);
}

TEST(Ulid, StaysMonotonicWhenTheClockStepsBack) {
  UlidGenerator g;
  std::string a = g.next(5000);
  std::string b = g.next(4000);
  EXPECT_LT(a, b);
  EXPECT_EQ(ulid_time_ms(b), 5000);
  std::string c = g.next(6000);
  EXPECT_LT(b, c);
  EXPECT_EQ(ulid_time_ms(c), 6000);
}

TEST(Ulid, NextAboveIsAboveTheFloorAndEverythingBefore) {
  UlidGenerator g;
  std::string floor = "01KBCWHCG0ZZZZZZZZZZZZZZZZ";
  // Another process committed an id later than our clock: the next id is above the floor by a
  // random step (here its random bits are all ones: the next millisecond).
  std::string id = g.next_above(floor, 1000);
  EXPECT_GT(id, floor);
  EXPECT_EQ(*ulid_time_ms(id), *ulid_time_ms(floor) + 1);
  EXPECT_GT(g.next(1000), id);  // and later ids stay above it
  // A floor below the clock: a fresh id at the clock's time.
  std::string later = g.next_above("00000000000000000000000000", 1764590400001);
  EXPECT_EQ(ulid_time_ms(later), 1764590400001);
  EXPECT_THROW(g.next_above("nope", 1), std::invalid_argument);
}

// Two processes: one made `x` and goes on from it within the millisecond (x + 1, x + 2, ...);
// the other, refused below `x`, goes above it. They must not meet: the ids of messages in
// different conversations are compared by nothing but the clients that de-duplicate by them.
TEST(Ulid, GoingAboveAnotherProcesssIdDoesNotMeetItsNextOnes) {
  for (int trial = 0; trial < 200; ++trial) {
    UlidGenerator a, b;
    std::string x = a.next(5000);
    std::set<std::string> theirs;
    for (int i = 0; i < 100; ++i) theirs.insert(a.next(5000));
    std::string above = b.next_above(x, 5000);
    EXPECT_GT(above, x);
    EXPECT_FALSE(theirs.count(above)) << above;
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(theirs.count(b.next(5000)));
  }
}

TEST(Ulid, ThreadsNeverGetTheSameIdAndEachSeesThemRise) {
  UlidGenerator g;
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (auto& list : made) {
    threads.emplace_back([&g, &list] {
      for (int i = 0; i < 2000; ++i) list.push_back(g.next(42));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& list : made) {
    for (size_t i = 1; i < list.size(); ++i) EXPECT_LT(list[i - 1], list[i]);
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(all.size(), 8000u);
}

TEST(Ulid, ProcessGeneratorIsShared) { EXPECT_EQ(&process_ulids(), &process_ulids()); }

}  // namespace
}  // namespace chat
