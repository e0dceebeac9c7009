import { describe, expect, it } from "vitest";
import { columnNameTokens } from "./column-name-tokens.js";
import { creditCardDetector } from "./credit-card-detector.js";
import { emailDetector } from "./email-detector.js";
import { ipDetector, validIpv6 } from "./ip-detector.js";
import { luhnCheckDigit, luhnValid } from "./luhn.js";
import { phoneDetector } from "./phone-detector.js";
import { ssnDetector } from "./ssn-detector.js";

describe("email", () => {
  it.each([
    "jane.doe@example.com",
    "j+tag@mail.example.co.uk",
    "Write to ops-team@corp-mail.io today",
    "<first_last99@uni.edu>",
  ])("finds %s", (text) => expect(emailDetector.detect(text)).toBe("match"));

  it.each([
    "user@localhost",
    "jane at example dot com",
    "@handle",
    "a@1.2.3.4",
    "name@domain",
    "x..y@example.com",
    "foo@bar.c0m",
    "12345",
  ])("rejects %s", (text) => expect(emailDetector.detect(text)).toBeUndefined());
});

describe("phone", () => {
  it.each([
    "415-555-0132",
    "(415) 555-0132",
    "415.555.0132",
    "+1 415 555 0132",
    "call +44 20 7946 0958 now",
    "+44 (0)20 7946 0958",
    "415-555-0132 x204",
  ])("finds %s", (text) => expect(phoneDetector.detect(text)).toBe("match"));

  it("calls a bare 10-digit run borderline", () => {
    expect(phoneDetector.detect("4155550132")).toBe("borderline");
  });

  it.each([
    "2024-03-15",
    "15/03/2024",
    "03.15.2024",
    "2024031512",
    "INV-415-555-0132",
    "order #4155550132",
    "123-456-7890", // an area code never starts with 1
    "415-155-0132",
    "911-555-0132",
    "415-555.0132",
    "41555501321",
    "5555555555",
  ])("rejects %s", (text) => expect(phoneDetector.detect(text)).toBeUndefined());
});

describe("ssn", () => {
  it.each(["123-45-6789", "SSN 219 09 1234"])("finds %s", (text) => expect(ssnDetector.detect(text)).toBe("match"));

  it("calls nine bare digits borderline", () => expect(ssnDetector.detect("123456789")).toBe("borderline"));

  it.each([
    "000-12-3456",
    "666-12-3456",
    "912-34-5678",
    "123-00-4567",
    "123-45-0000",
    "078-05-1120",
    "123-45 6789",
    "12345-6789",
    "1234-56-7890",
  ])("rejects %s", (text) => expect(ssnDetector.detect(text)).toBeUndefined());
});

describe("credit_card", () => {
  it.each([
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "5500 0000 0000 0004",
    "3782 822463 10005",
    "paid with 6011-1111-1111-1117 yesterday",
    "2221 0000 0000 0009",
  ])("finds %s", (text) => expect(creditCardDetector.detect(text)).toBe("match"));

  it("calls bare digits borderline", () => expect(creditCardDetector.detect("4111111111111111")).toBe("borderline"));

  it.each([
    "4111 1111 1111 1112", // fails Luhn
    "9111 1111 1111 1115", // no issuer starts with 9
    "4111 1111-1111 1111", // mixed separators
    "41 1111 1111 1111 11",
    "INV-4111111111111111",
    "411111111111", // too short for the issuer
  ])("rejects %s", (text) => expect(creditCardDetector.detect(text)).toBeUndefined());

  it("Luhn helpers agree", () => {
    expect(luhnValid("79927398713")).toBe(true);
    expect(luhnValid("79927398710")).toBe(false);
    expect(luhnCheckDigit("7992739871")).toBe("3");
    expect(luhnValid("")).toBe(false);
  });
});

describe("ip", () => {
  it.each([
    "192.168.1.20",
    "0.0.0.0",
    "from 10.0.0.1:8080.",
    "255.255.255.255/24",
    "2001:db8::1",
    "::1",
    "fe80:0:0:0:202:b3ff:fe1e:8329",
    "::ffff:192.0.2.128",
    "[2001:db8:85a3::8a2e:370:7334]:443",
    "010.001.002.003",
    "see 1.2.3.4",
  ])("finds %s", (text) => expect(ipDetector.detect(text)).toBe("match"));

  it.each([
    "300.400.500.600",
    "256.1.1.1",
    "1.2.3.4.5",
    "v1.2.3.4",
    "01.02.03.04",
    "010.1.2.3",
    "Build 1.2.3.4",
    "version: 10.0.19.1",
    "v 2.4.1.7",
    "12:30:45",
    "00:1a:2b:3c:4d:5e",
    "std::vector",
    "1:2:3:4:5:6:7:8:9",
    "2001:db8::1::2",
  ])("rejects %s", (text) => expect(ipDetector.detect(text)).toBeUndefined());

  it("parses IPv6 text forms", () => {
    expect(validIpv6("1:2:3:4:5:6:7:8")).toBe(true);
    expect(validIpv6("1:2:3:4:5:6:7::")).toBe(true);
    expect(validIpv6("1:2:3:4:5:6:7:8::")).toBe(false);
    expect(validIpv6("12345::1")).toBe(false);
  });
});

describe("column name hints", () => {
  it("tokenises names", () => {
    expect(columnNameTokens("customerEmail")).toEqual(["customer", "email", "customeremail"]);
    expect(columnNameTokens("Credit Card #")).toEqual(["credit", "card", "creditcard"]);
    expect(columnNameTokens("SSN")).toEqual(["ssn"]);
  });

  it("points each detector at its columns only", () => {
    expect(phoneDetector.hintedBy(columnNameTokens("mobile_number"))).toBe(true);
    expect(phoneDetector.hintedBy(columnNameTokens("hotel"))).toBe(false);
    expect(ssnDetector.hintedBy(columnNameTokens("customer_ssn"))).toBe(true);
    expect(ssnDetector.hintedBy(columnNameTokens("lessons"))).toBe(false);
    expect(creditCardDetector.hintedBy(columnNameTokens("creditCardNumber"))).toBe(true);
    expect(creditCardDetector.hintedBy(columnNameTokens("discard"))).toBe(false);
    expect(ipDetector.hintedBy(columnNameTokens("client_ip"))).toBe(true);
    expect(ipDetector.hintedBy(columnNameTokens("zip"))).toBe(false);
    expect(emailDetector.hintedBy(columnNameTokens("E-mail"))).toBe(true);
  });
});
