"""Salesforce: OAuth web-server flow with PKCE, REST query API with SOQL and query locators."""
