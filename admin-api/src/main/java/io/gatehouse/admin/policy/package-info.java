/**
 * Stage: validate (admin rules). Pure checks the admin API adds to the model's validators: who may
 * route which host, and which upstream addresses are refused. Imports the model and the JDK only.
 */
package io.gatehouse.admin.policy;
